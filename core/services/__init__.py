"""Write operations that carry rules. Each runs in one transaction, checks the actor's
access through ``core.access``, validates its input (raising ``ValidationError`` with a
message per field, writing nothing) and records exactly one audit event.

Views, the API, imports and commands call these; they do not re-implement the rules."""

from .access import (
    decide_access_request,
    expire_grants,
    grant_access,
    request_access,
    revoke_grant,
    transfer_ownership,
)
from .cases import (
    add_activity,
    add_participant,
    change_stage,
    close_case,
    link_cases,
    open_case,
    update_case,
)
from .errors import ConflictError
from .organisations import add_member, remove_member, set_programme_enabled
from .people import (
    add_address,
    add_alias,
    add_household_member,
    add_identifier,
    add_relationship,
    add_warning_marker,
    create_household,
    create_profile,
    record_view,
    set_person_roles,
    update_profile,
)
from .profile_edit import edit_profile

__all__ = [
    "ConflictError", "add_activity", "add_household_member", "create_household", "add_address", "add_alias", "add_identifier", "add_member",
    "add_participant", "add_relationship", "add_warning_marker", "change_stage", "close_case",
    "create_profile", "decide_access_request", "edit_profile", "expire_grants", "grant_access", "link_cases",
    "open_case", "record_view", "remove_member", "request_access", "revoke_grant",
    "set_person_roles", "set_programme_enabled", "transfer_ownership", "update_case", "update_profile",
]
