"""Production-model farm loans (seed 000, the broiler farmer): production templates as data,
credit sized by the production model, feed paid to the supplier stage by stage through the
loan engine, monitoring at close of day with alerts that freeze the next stage, and repayment
from the sale with the lender paid first.

Other contexts read it through ``puhui.finance.agri.views``; the pure rules (``model``,
``monitoring``) can be used anywhere.
"""
