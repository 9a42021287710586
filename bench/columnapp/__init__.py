"""A tenant app for bench/migrate_platform.py only: one table, then a column, then another.

Which of its migrations exist is chosen with MIGRATION_MODULES (``migrations_v1`` to
``migrations_v3``), so the benchmark can give 300 lokets a real one-column migration
without one in the product.
"""
