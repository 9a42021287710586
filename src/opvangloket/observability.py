"""Error reporting with Sentry; every event carries the loket it happened in."""

from __future__ import annotations

from typing import Any

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration


def init_sentry(*, dsn: str, environment: str, **options: Any) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration()],
        # Children's data: never send request bodies, cookies or user details.
        send_default_pii=False,
        max_request_body_size="never",
        traces_sample_rate=0.0,
        **options,
    )
