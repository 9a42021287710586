from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shared.accounts import login_throttle
from shared.accounts.models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("loket", "region")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "is_staff", "is_active", "date_joined")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "preferred_language")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    inlines = [MembershipInline]
    filter_horizontal = ()
    list_filter = ("is_staff", "is_active")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "loket", "region")
    list_filter = ("role", "loket", "region")
    search_fields = ("user__email",)
    autocomplete_fields = ("user", "loket", "region")


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's login, throttled like every other login (``login_throttle``)."""

    def clean(self):
        login = self.cleaned_data.get("username")
        if login is None or not self.cleaned_data.get("password"):
            return super().clean()
        wait = login_throttle.login_wait(self.request, login=login)
        if wait:
            raise ValidationError(login_throttle.wait_message(wait), code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError:
            if self.user_cache is None:  # a wrong password, not a non-staff account
                login_throttle.login_failed(self.request, login=login)
            else:  # the right password of an account that may not use the admin
                login_throttle.login_succeeded(self.request, login=login)
            raise
        login_throttle.login_succeeded(self.request, login=login)
        return cleaned


admin.site.login_form = ThrottledAdminAuthenticationForm
