from django.apps import AppConfig


class ColumnAppConfig(AppConfig):
    name = "bench.columnapp"
    label = "benchcolumns"
    default_auto_field = "django.db.models.BigAutoField"
