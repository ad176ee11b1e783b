from .assignment import Assignment, ContactLog
from .committees import Committee, Session
from .events import CalendarDay, Event
from .parties import Agency, AgencyAlias, Proposer
from .proposal import Proposal, ProposalProposer, SupervisionLog

__all__ = [
    "Agency",
    "AgencyAlias",
    "Assignment",
    "CalendarDay",
    "Committee",
    "ContactLog",
    "Event",
    "Proposal",
    "ProposalProposer",
    "Proposer",
    "Session",
    "SupervisionLog",
]
