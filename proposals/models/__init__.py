from .assignment import Assignment, ContactLog, ExtensionRequest
from .committees import Committee, Session
from .events import CalendarDay, Event
from .exports import ExportJob
from .parties import Agency, AgencyAlias, Proposer
from .proposal import CoSignInvitation, Proposal, ProposalProposer, SupervisionLog

__all__ = [
    "Agency",
    "AgencyAlias",
    "Assignment",
    "CalendarDay",
    "CoSignInvitation",
    "Committee",
    "ContactLog",
    "Event",
    "ExportJob",
    "ExtensionRequest",
    "Proposal",
    "ProposalProposer",
    "Proposer",
    "Session",
    "SupervisionLog",
]
