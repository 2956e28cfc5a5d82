"""Identity across evidence: the ledger of INS occurrences, trait comparison,
the known fictitious identities, and masking of what is shown (BUNDLE.md)."""
