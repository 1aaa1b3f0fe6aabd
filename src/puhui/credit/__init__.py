"""The credit context: features from the record, scorecards and challengers, explainable
decisions, monitoring and tax-data credit (compute-to-data). See ``docs/credit.md``."""
