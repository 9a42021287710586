"""Job runs in the Django admin (platform operators): read only."""

from django.contrib import admin

from shared.jobs.models import JobRun


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ("job", "loket", "status", "ran_for", "started_at", "finished_at")
    list_filter = ("status", "job", "loket")
    date_hierarchy = "started_at"
    readonly_fields = [field.name for field in JobRun._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
