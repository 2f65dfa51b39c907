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
from .access_index import ProfileAccessEntry
from .alerts import Alert, TriggerRule
from .api import ApiToken, IdempotencyRecord, ServiceAccount
from .audit import AppendOnlyError, AuditAction, AuditEvent, Channel, S62Category
from .cases import Activity, Case, CaseParticipant, CaseReferenceCounter
from .galleries import Gallery, GalleryEntry
from .imports import ImportedRecord, ImportJob, ImportMapping
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
from .reports import Report, ReportType, ReportTypeVersion, ReportVersion
from .work import Referral, ReferralStep, Task, TaskAttachment, TaskPriority

__all__ = [
    "ApiToken", "IdempotencyRecord", "ServiceAccount",
    "AccessLevel", "AccessRequest", "Activity", "Address", "AppendOnlyError", "AuditAction",
    "AuditEvent", "Case", "CaseGroupObjectPermission", "CaseParticipant", "CaseReferenceCounter",
    "CaseUserObjectPermission", "Channel", "Grant", "Household", "HouseholdMember", "Identifier",
    "ImportJob", "ImportMapping", "ImportedRecord",
    "Membership", "Notification", "NotificationKind", "NotificationPreference", "Organisation", "Partnership", "PartnershipMembership", "PersonRole", "Profile",
    "ProfileAccessEntry", "ProfileAlias", "ProfileGroupObjectPermission", "ProfileUserObjectPermission", "ProgrammeModule",
    "Relationship", "RiskLevel", "S62Category", "Team", "WarningMarker",
    "Alert", "Gallery", "GalleryEntry", "Report", "ReportType", "ReportTypeVersion", "ReportVersion", "TriggerRule",
    "Referral", "ReferralStep", "Task", "TaskAttachment", "TaskPriority",
]
