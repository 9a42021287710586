"""``manage.py run_jobs`` in a process a test can kill at a chosen moment.

``FAULT_PAUSE_ON``: before the first statement containing that text, write the file
``FAULT_PAUSED`` and wait (to be killed). ``FAULT_PAUSE_AFTER_MAILS``: the same after that
many e-mails. E-mails are appended to ``FAULT_MAILS`` as JSON lines ``[to, subject]``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


def _pause() -> None:
    Path(os.environ["FAULT_PAUSED"]).write_text("paused")
    time.sleep(120)
    sys.exit("not killed")


class RecordingBackend(BaseEmailBackend):
    """Each message on a line of its own, written and flushed before the next one."""

    def send_messages(self, email_messages) -> int:
        path = Path(os.environ["FAULT_MAILS"])
        pause_after = int(os.environ.get("FAULT_PAUSE_AFTER_MAILS") or 0)
        for message in email_messages:
            with path.open("a") as mails:
                mails.write(json.dumps([", ".join(message.to), message.subject]) + "\n")
            if pause_after and len(path.read_text().splitlines()) >= pause_after:
                _pause()
        return len(email_messages)


def main() -> None:
    root = Path(__file__).resolve().parents[2]
    sys.path[:0] = [str(root), str(root / "src")]
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    pattern = os.environ.get("FAULT_PAUSE_ON", "")

    def pause_on_pattern(execute, sql, params, many, context):
        if pattern and pattern in sql:
            _pause()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(pause_on_pattern):
        call_command("run_jobs", *sys.argv[1:])


if __name__ == "__main__":
    main()
