"""Expired sessions are deleted by a platform job; a live session (a logged-in parent) stays."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from shared.jobs.services import jobs_run

pytestmark = pytest.mark.django_db


def test_the_job_deletes_expired_sessions_and_keeps_live_ones(client_for):
    live = client_for("alpha", user="parent")
    assert live.get("/mijn-aanvragen/").status_code == 200
    expired = SessionStore()
    expired["_auth_user_id"] = "1"
    expired.set_expiry(-60)
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(minutes=1)
    )

    (run,) = jobs_run(now=timezone.now(), names=["accounts.purge_sessions"])

    assert run.status == "succeeded" and run.result["deleted"] >= 1
    assert not Session.objects.filter(session_key=expired.session_key).exists()
    # The parent is still logged in.
    assert live.get("/mijn-aanvragen/").status_code == 200
