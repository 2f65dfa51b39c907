"""Start Django for the harness (settings ``wraparound.settings.bench``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_setup() -> None:
    for path in (ROOT, ROOT / "site"):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wraparound.settings.bench")
    import django

    django.setup()
