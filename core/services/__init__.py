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
from .api_tokens import create_service_account, issue_token, revoke_token
from .case_work import record_chronology_output, remove_participant, reopen_case, unlink_cases
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
from .work import (
    accept_referral,
    add_task_attachment,
    ask_for_information,
    cancel_task,
    complete_task,
    create_task,
    decline_referral,
    give_information,
    make_referral,
    start_task,
    update_task,
    withdraw_referral,
)

__all__ = [
    "accept_referral", "add_task_attachment", "ask_for_information", "cancel_task", "complete_task",
    "create_task", "decline_referral", "give_information", "make_referral", "start_task", "update_task", "withdraw_referral",
    "create_service_account", "issue_token", "revoke_token",
    "ConflictError", "add_activity", "add_household_member", "create_household", "add_address", "add_alias", "add_identifier", "add_member",
    "add_participant", "add_relationship", "add_warning_marker", "change_stage", "close_case",
    "create_profile", "decide_access_request", "edit_profile", "expire_grants", "grant_access", "link_cases",
    "open_case", "record_view", "remove_member", "request_access", "revoke_grant",
    "set_person_roles", "set_programme_enabled", "transfer_ownership", "update_case", "update_profile",
    "record_chronology_output", "remove_participant", "reopen_case", "unlink_cases",
]
from .reports import (  # noqa: E402
    create_report,
    save_report_type,
    set_report_type_fields,
    sync_report_types,
    update_report,
)

__all__ += ["create_report", "save_report_type", "set_report_type_fields", "sync_report_types", "update_report"]
from .alerts import handle_alert, save_trigger_rule, sync_default_rules  # noqa: E402

__all__ += ["handle_alert", "save_trigger_rule"]
__all__ += ["sync_default_rules"]
from .galleries import (  # noqa: E402
    add_to_gallery,
    decide_and_notify,
    remove_from_gallery,
    request_access_from_card,
    sync_galleries,
)

__all__ += ["add_to_gallery", "decide_and_notify", "remove_from_gallery", "request_access_from_card"]
__all__ += ["sync_galleries"]
