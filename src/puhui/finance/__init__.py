"""Finance: the credit products built on documents, accounts and lending — receivables and
agricultural production loans (this release), order financing, inventory pledge, crowdfunding
and tokenized real-world assets."""
