"""URL patterns of the request wizard (register once), served on every loket and portal host.

Parents: ``/aanvraag/…`` on any host. Loket staff at the desk: ``/beheer/aanvraag/…`` on
their loket's host only.
"""

from django.urls import path

from shared.portal import wizard

urlpatterns = [
    path("aanvraag/nieuw/", wizard.start, name="wizard_start"),
    path("aanvraag/ingediend/", wizard.done, name="wizard_done"),
    path("aanvraag/<int:draft_id>/", wizard.resume, name="wizard_resume"),
    path("aanvraag/<int:draft_id>/verwijderen/", wizard.delete, name="wizard_delete"),
    path("aanvraag/<int:draft_id>/<slug:slug>/", wizard.step, name="wizard_step"),
    path("beheer/aanvraag/nieuw/", wizard.desk_start, name="desk_start"),
    path("beheer/aanvraag/ingediend/", wizard.desk_done, name="desk_done"),
    path("beheer/aanvraag/<int:draft_id>/", wizard.desk_resume, name="desk_resume"),
    path("beheer/aanvraag/<int:draft_id>/verwijderen/", wizard.desk_delete, name="desk_delete"),
    path("beheer/aanvraag/<int:draft_id>/<slug:slug>/", wizard.desk_step, name="desk_step"),
]
