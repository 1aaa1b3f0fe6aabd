"""Documents: typed business documents committed to the log (bytes off-log), consent-based
sharing with every read recorded, IoT batches, and the lien registry that stops double
financing."""
