from django.contrib import admin

from shared.lokets.models import Domain, Loket, Region


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Loket)
class LoketAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "kind", "region", "is_active")
    list_filter = ("kind", "region", "is_active")
    search_fields = ("name", "slug")
    filter_horizontal = ("municipalities",)
    inlines = [DomainInline]
    # The schema name is fixed at creation; lokets are created with `manage.py create_loket`.
    readonly_fields = ("schema_name", "reference_prefix")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "domain")
    search_fields = ("name", "slug", "domain")
