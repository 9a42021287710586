from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from shared.lokets.branding import branding_update
from shared.lokets.merging import MergeRefused, loket_merge
from shared.lokets.models import Domain, Loket, LoketMerger, Region
from shared.lokets.working_area import loket_organiser_change, loket_rename

BRANDING_FIELDS = ("brand_colour", "footer_text")


class BrandedAdmin(admin.ModelAdmin):
    """A loket's or region's colour and footer text: checked by the model field (the same
    contrast check as the staff page and the API), saved through ``branding_update`` so
    the change is in the audit trail as well."""

    def save_model(self, request, obj, form, change: bool) -> None:
        wanted = {field: getattr(obj, field) for field in BRANDING_FIELDS}
        if change:
            stored = type(obj).objects.get(pk=obj.pk)
            for field in BRANDING_FIELDS:
                setattr(obj, field, getattr(stored, field))
        super().save_model(request, obj, form, change)
        if change:
            branding_update(owner=obj, actor=request.user, **wanted)


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


class LoketMergeForm(forms.Form):
    source = forms.ModelChoiceField(
        label=_("Loket that is merged (it goes)"),
        queryset=Loket.objects.filter(is_active=True).exclude(kind=Loket.Kind.AUDITOR),
    )
    target = forms.ModelChoiceField(
        label=_("Loket it is merged into (it stays)"),
        queryset=Loket.objects.filter(is_active=True).exclude(kind=Loket.Kind.AUDITOR),
    )
    confirm = forms.BooleanField(
        label=_("I read the dry run's report: merge now (this cannot be undone)"),
        required=False,
    )


@admin.register(Loket)
class LoketAdmin(BrandedAdmin):
    list_display = ("name", "slug", "kind", "region", "organiser_name", "is_active")
    list_filter = ("kind", "region", "is_active")
    search_fields = ("name", "slug", "organiser_name")
    filter_horizontal = ("municipalities",)
    inlines = [DomainInline]
    # The schema name is fixed at creation; lokets are created with `manage.py create_loket`.
    # A new slug (a new host) goes through `manage.py change_loket --new-slug`.
    readonly_fields = ("schema_name", "reference_prefix", "slug")
    change_list_template = "admin/lokets/loket/change_list.html"

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj: Loket, form, change: bool) -> None:
        """A new name or organiser through the services, so both are in the audit trail."""
        by = request.user.email
        name, organiser = obj.name, obj.organiser_name
        if change:
            stored = Loket.objects.get(pk=obj.pk)
            obj.name, obj.organiser_name = stored.name, stored.organiser_name
        super().save_model(request, obj, form, change)
        if change and name != obj.name:
            loket_rename(loket=obj, name=name, by=by)
        if change and organiser != obj.organiser_name:
            loket_organiser_change(loket=obj, organiser_name=organiser, by=by)

    def get_urls(self):
        return [
            path(
                "merge/",
                self.admin_site.admin_view(self.merge_view),
                name="lokets_loket_merge",
            ),
            *super().get_urls(),
        ]

    def merge_view(self, request: HttpRequest) -> HttpResponse:
        """Merge one loket into another: a dry run first, then the merge itself."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = LoketMergeForm(request.POST or None)
        report = None
        if request.method == "POST" and form.is_valid():
            merge = form.cleaned_data["confirm"] and "merge" in request.POST
            try:
                report = loket_merge(
                    source=form.cleaned_data["source"],
                    target=form.cleaned_data["target"],
                    dry_run=not merge,
                    by=request.user.email,
                )
            except MergeRefused as refused:
                report = refused.report
                messages.error(request, " ".join(refused.messages))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if report.merged:
                    messages.success(request, _("Merged."))
        return TemplateResponse(
            request,
            "admin/lokets/loket/merge.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Merge lokets"),
                "form": form,
                "report": report,
            },
        )


@admin.register(LoketMerger)
class LoketMergerAdmin(admin.ModelAdmin):
    list_display = ("source_name", "target", "merged_at", "merged_by", "schema_dropped_at")
    readonly_fields = [field.name for field in LoketMerger._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Region)
class RegionAdmin(BrandedAdmin):
    list_display = ("name", "slug", "domain")
    search_fields = ("name", "slug", "domain")
