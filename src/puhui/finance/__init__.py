"""Finance: the credit products built on documents, accounts and lending — receivables (this
release), order financing, inventory pledge, agricultural production loans, crowdfunding and
tokenized real-world assets."""
