"""Core models, one module per idea; import them from here."""

from .access import (
    AccessLevel,
    AccessRequest,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    Grant,
    ProfileGroupObjectPermission,
    ProfileUserObjectPermission,
)
from .api import ApiToken, IdempotencyRecord, ServiceAccount
from .audit import AppendOnlyError, AuditAction, AuditEvent, Channel, S62Category
from .cases import Activity, Case, CaseParticipant, CaseReferenceCounter
from .notifications import Notification, NotificationKind, NotificationPreference
from .organisations import (
    Membership,
    Organisation,
    Partnership,
    PartnershipMembership,
    ProgrammeModule,
    Team,
)
from .people import (
    Address,
    Household,
    HouseholdMember,
    Identifier,
    PersonRole,
    Profile,
    ProfileAlias,
    Relationship,
    RiskLevel,
    WarningMarker,
)

__all__ = [
    "ApiToken", "IdempotencyRecord", "ServiceAccount",
    "AccessLevel", "AccessRequest", "Activity", "Address", "AppendOnlyError", "AuditAction",
    "AuditEvent", "Case", "CaseGroupObjectPermission", "CaseParticipant", "CaseReferenceCounter",
    "CaseUserObjectPermission", "Channel", "Grant", "Household", "HouseholdMember", "Identifier",
    "Membership", "Notification", "NotificationKind", "NotificationPreference", "Organisation", "Partnership", "PartnershipMembership", "PersonRole", "Profile",
    "ProfileAlias", "ProfileGroupObjectPermission", "ProfileUserObjectPermission", "ProgrammeModule",
    "Relationship", "RiskLevel", "S62Category", "Team", "WarningMarker",
]
