"""Municipalities and postcodes: the reference geography every loket shares."""
