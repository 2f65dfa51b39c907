"""REST API v1 (django-ninja), mounted at ``/api/v1/``: see ``core.api.app`` for how it
is assembled and ``docs/api.md`` for its conventions."""
