"""What the ledger's kinds, statuses and ownerships are called where people read them."""

from __future__ import annotations

from bot.i18n.catalog import N_
from models.cooperation import ApplicationStatus, EntryKind, Ownership

ENTRY_KIND_LABELS: dict[EntryKind, str] = {
    EntryKind.CONSULTANCY: N_("Consultancy"),
    EntryKind.VISITING_PROFESSORSHIP: N_("Visiting professorship"),
    EntryKind.JOINT_PROJECT: N_("Joint project or government application"),
    EntryKind.COURSE: N_("Course or textbook developed together"),
    EntryKind.STAFF_TRAINING: N_("Staff training delivered"),
    EntryKind.SHARED_FACILITY: N_("Shared facility or training base"),
}
STATUS_LABELS: dict[ApplicationStatus, str] = {
    ApplicationStatus.PLANNED: N_("Planned"),
    ApplicationStatus.SUBMITTED: N_("Submitted"),
    ApplicationStatus.APPROVED: N_("Approved"),
    ApplicationStatus.REJECTED: N_("Rejected"),
}
OWNERSHIP_LABELS: dict[Ownership, str] = {
    Ownership.COLLEGE: N_("Results owned by the college"),
    Ownership.ENTERPRISE: N_("Results owned by the enterprise"),
    Ownership.JOINT: N_("Results owned jointly"),
}
