"""Opvangloket: the project's wiring (settings, URL confs, middleware, base templates)."""
