"""Priority recruitment (agreement III.7): openings, the college's recommendations, offers and hires."""
