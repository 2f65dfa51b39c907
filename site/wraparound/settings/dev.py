"""Settings for the local demo: SQLite by default, debug on, console e-mail."""

from .base import *  # noqa: F403
from .base import DATA_DIR

DEBUG = True
DATA_DIR.mkdir(parents=True, exist_ok=True)
