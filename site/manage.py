#!/usr/bin/env python
"""Django's command-line utility for the Wraparound site."""

import os
import sys
from pathlib import Path


def main() -> None:
    # The repository root holds core/ and plugins/; make them importable when run from a checkout.
    root = Path(__file__).resolve().parent.parent
    for path in (str(root), str(root / "site")):
        if path not in sys.path:
            sys.path.insert(0, path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wraparound.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
