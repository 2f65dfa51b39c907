"""Django's cache configured from one URL (``WRAPAROUND_CACHE_URL``, or ``REDIS_URL``).

The API's per-token rate limit keeps its counters in the default cache (ninja's
throttles use Django's cache framework), so with several web processes the cache must
be shared for the limit to be global:

- ``redis://host:6379/0`` (or ``rediss://``): Django's built-in ``RedisCache``. It needs
  redis-py, which Wraparound does not install by default: ``pip install redis``.
- ``db://`` or ``db://<table>``: Django's ``DatabaseCache`` in the application's own
  database (table ``wraparound_cache`` by default; create it once with
  ``manage.py createcachetable``). Shared by every process with no extra service.
- ``locmem://``: per-process memory (development, tests).
- ``dummy://``: no cache at all (every rate-limit count starts again: no limit).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

DEFAULT_TABLE = "wraparound_cache"


def cache_from_url(url: str) -> dict:
    """The ``CACHES["default"]`` entry for ``url``; ImproperlyConfigured on a bad one."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme in ("redis", "rediss"):
        try:
            import redis  # noqa: F401
        except ImportError as exc:
            raise ImproperlyConfigured(
                f"The cache URL {parts.scheme}://… needs redis-py: pip install redis (or use db:// instead)."
            ) from exc
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url.strip()}
    if scheme == "db":
        table = (parts.netloc + parts.path).strip("/") or DEFAULT_TABLE
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": table}
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": parts.netloc or "wraparound"}
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(
        f"Unknown cache URL {url!r}: use redis://…, db://[table], locmem:// or dummy://."
    )
