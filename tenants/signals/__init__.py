"""Signals of problems in a location, recorded by loket staff and exported for Opgroeien."""
