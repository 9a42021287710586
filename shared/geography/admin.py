from django.contrib import admin

from shared.geography.models import Municipality, Postcode


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("nis_code", "name_nl", "name_fr", "province_nl")
    search_fields = ("nis_code", "name_nl", "name_fr")


@admin.register(Postcode)
class PostcodeAdmin(admin.ModelAdmin):
    list_display = ("code", "place", "municipality")
    search_fields = ("code", "place")
    list_select_related = ("municipality",)
