"""Apps whose tables live in each loket's own schema."""
