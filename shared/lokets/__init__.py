"""Lokets (the tenants), their domains and the regions that group them."""
