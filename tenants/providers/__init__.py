"""Childcare providers of one loket: organizers, their locations and free places."""
