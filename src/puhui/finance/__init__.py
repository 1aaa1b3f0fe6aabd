"""Finance products built on lending, documents and accounts (agri production loans, ...)."""
