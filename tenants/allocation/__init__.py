"""Allocation of places: a provider's queue, offers, the parent's answer, placements."""
