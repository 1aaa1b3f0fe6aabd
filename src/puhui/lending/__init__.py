"""Lending: loan products, schedules, day counts, tranches to named payees, repayment
allocation, daily accrual, ageing and the five-category classification, credit lines.

Other contexts (finance, credit, risk) read loans through ``puhui.lending.views`` and move
loans through the ``lending.*`` commands; the pure rules (``schedule``, ``apr``, ``rules``,
``daycount``, ``calendar``) can be used anywhere.
"""
