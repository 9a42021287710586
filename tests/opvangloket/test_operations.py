"""Operations: errors reach Sentry tagged with their loket; one JSON log line per request."""

import json
import logging

import pytest
import sentry_sdk

from opvangloket.logging import JsonFormatter
from opvangloket.observability import init_sentry

pytestmark = pytest.mark.django_db


@pytest.fixture
def sentry_events():
    events = []

    def keep(event, hint):
        events.append(event)
        return None  # nothing leaves the machine

    init_sentry(dsn="https://public@sentry.invalid/1", environment="test", before_send=keep)
    yield events
    sentry_sdk.init()  # no DSN: reporting off again


def test_an_error_in_a_loket_reaches_sentry_tagged_with_the_loket(
    client_for, monkeypatch, sentry_events
):
    def broken(*args, **kwargs):
        raise RuntimeError("template exploded")

    monkeypatch.setattr("shared.lokets.views.render", broken)
    client = client_for("beta", user="parent")
    client.raise_request_exception = False
    page = client.get("/")
    assert page.status_code == 500
    # The person reads what happened, in the three languages, with a way back and the
    # site's own stylesheet; no trace of the error itself.
    text = page.content.decode()
    assert "Er ging iets mis" in text and 'lang="fr"' in text and 'lang="en"' in text
    assert 'href="/"' in text and "site.css" in text
    assert "template exploded" not in text
    assert len(sentry_events) == 1
    event = sentry_events[0]
    assert event["tags"]["loket"] == "beta"
    assert event["exception"]["values"][0]["value"] == "template exploded"
    # Personal data stays out of error reports.
    assert "user" not in event or not event["user"].get("email")
    assert client.cookies["sessionid"].value not in json.dumps(event)


def test_every_request_is_logged_once_with_its_loket(client_for, caplog):
    with caplog.at_level(logging.INFO, logger="opvangloket.request"):
        client_for("gamma").get("/")
    records = [r for r in caplog.records if r.name == "opvangloket.request"]
    assert len(records) == 1
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["event"] == "request"
    assert line["loket"] == "gamma"
    assert line["region"] == "testregio"
    assert line["status"] == 200
    assert line["path"] == "/"
    assert isinstance(line["duration_ms"], float)
