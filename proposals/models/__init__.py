from .assignment import Assignment, ContactLog, ExtensionRequest
from .committees import Committee, Session
from .events import CalendarDay, Event
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
    "ExtensionRequest",
    "Proposal",
    "ProposalProposer",
    "Proposer",
    "Session",
    "SupervisionLog",
]
