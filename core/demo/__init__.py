"""The demo partnership: what ``manage.py load_demo`` (and ``wraparound demo``) creates.

Core makes the structure — four partnerships in five counties, their organisations,
teams, programme modules and one user per role plus practitioners in most
organisations — and the people (profiles with avatars, identifiers, addresses and
consent). Each programme plugin then adds its cases through the
``wraparound_demo_data`` hook, with the helpers in :mod:`core.demo.kit`.

Everything personal is written through ``core.services`` inside
``audit_context(Channel.CLI)``, so the demo's audit trail looks like real work entered
from the command line. The generator is seeded: the same seed gives the same demo.

- ``data``: the partnership as tables (change the demo here);
- ``places``: name and place lists the generator draws from;
- ``loader``: :func:`load` and what the command needs;
- ``kit``: helpers for the plugins' ``demo.py``.
"""

from .data import DEMO_PASSWORD
from .loader import (
    DemoAlreadyLoaded,
    case_count,
    format_logins,
    is_loaded,
    load,
    login_rows,
    remove_demo_photos,
)

__all__ = [
    "DEMO_PASSWORD", "DemoAlreadyLoaded", "case_count", "format_logins", "is_loaded", "load", "login_rows",
    "remove_demo_photos",
]
