"""Parties: identity (USCC), roles, Ed25519 keys, API tokens and custodial keys."""
