"""The audit trail of a loket: who viewed or changed which request (the loket's schema)."""
