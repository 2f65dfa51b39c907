"""Settings for the local demo: SQLite by default, debug on, console e-mail."""

from .base import *  # noqa: F403
from .base import DATA_DIR, STATIC_ROOT

DEBUG = True
DATA_DIR.mkdir(parents=True, exist_ok=True)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# runserver serves static files from the apps; whitenoise looks there too.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
