"""The intern compliance checklist (kept by the teacher; flagged to coordinators)."""
