"""Scheduled background jobs, run per loket in its own schema; their runs are recorded here."""
