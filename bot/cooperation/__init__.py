"""The cooperation ledger (what the sides do together) and each partnership's agreement."""
