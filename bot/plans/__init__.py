"""Placement plans and recruitment numbers (agreement III.2, II.1, III.7)."""
