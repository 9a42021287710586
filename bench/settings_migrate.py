"""Settings for bench/migrate_platform.py: the product's, plus a tenant app whose
migrations the benchmark chooses (bench/columnapp)."""

from opvangloket.settings import *  # noqa: F403
from opvangloket.settings import INSTALLED_APPS, TENANT_APPS

TENANT_APPS = [*TENANT_APPS, "bench.columnapp"]
INSTALLED_APPS = [*INSTALLED_APPS, "bench.columnapp"]
MIGRATION_MODULES = {"benchcolumns": "bench.columnapp.migrations_v1"}
