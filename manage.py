#!/usr/bin/env python
"""Django's command-line utility for Opvangloket."""

import os
import sys
from pathlib import Path


def main() -> None:
    root = Path(__file__).resolve().parent
    sys.path[:0] = [str(root), str(root / "src")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opvangloket.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
