"""Errors of the lending context.

InvalidCommand (kernel)
└── InvalidLoanTerms     impossible product or schedule terms (zero term, negative rate, ...)
"""

from puhui.kernel.errors import InvalidCommand


class InvalidLoanTerms(InvalidCommand):
    code = "invalid-loan-terms"
    title = "Impossible loan terms"
