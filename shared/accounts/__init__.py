"""User accounts (one per person, valid in every loket) and staff memberships."""
