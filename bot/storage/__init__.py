"""The database: engine and sessions (`db`), SQLite's single writer, migrations and the schema check, the
JobRun ledger that makes scheduled work happen once, and housekeeping that prunes what has served its purpose."""
