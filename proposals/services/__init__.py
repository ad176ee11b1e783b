"""Writes. One function per workflow step; the admin, the API and the importer all call these."""
from proposals.services.assignments import (
    assignment_acknowledge,
    assignment_decide_objection,
    assignment_extend,
    assignment_object,
    contact_record,
)
from proposals.services.corrections import (
    assignment_correct_agency,
    assignment_correct_date,
    assignment_recompute_deadline,
    proposal_correct_number,
)
from proposals.services.cosigning import cosign_accept, cosign_decline, cosign_invite
from proposals.services.errors import (
    ActionForbidden,
    ConcurrentChange,
    InvalidInput,
    ServiceError,
    TransitionNotAllowed,
)
from proposals.services.proposals import (
    proposal_assign,
    proposal_convert,
    proposal_create,
    proposal_file,
    proposal_mark_key,
    proposal_merge,
    proposal_reject,
    proposal_submit,
    proposal_update,
    proposal_withdraw,
    supervision_record,
)
from proposals.services.extension_requests import (
    extension_request,
    extension_request_approve,
    extension_request_refuse,
)
from proposals.services.reassignment import (
    assignment_add_co,
    assignment_drop_co,
    assignment_swap_with_lead,
)
from proposals.services.urging import UrgeResult, assignment_urge, assignment_urge_many

__all__ = [
    "assignment_correct_agency",
    "assignment_correct_date",
    "assignment_recompute_deadline",
    "cosign_accept",
    "cosign_decline",
    "cosign_invite",
    "proposal_correct_number",
    "ActionForbidden",
    "ConcurrentChange",
    "InvalidInput",
    "ServiceError",
    "TransitionNotAllowed",
    "assignment_acknowledge",
    "assignment_decide_objection",
    "assignment_extend",
    "assignment_object",
    "contact_record",
    "proposal_assign",
    "proposal_convert",
    "proposal_create",
    "proposal_file",
    "proposal_mark_key",
    "proposal_merge",
    "proposal_reject",
    "proposal_submit",
    "proposal_update",
    "proposal_withdraw",
    "supervision_record",
    "assignment_add_co",
    "assignment_drop_co",
    "assignment_swap_with_lead",
    "extension_request",
    "extension_request_approve",
    "extension_request_refuse",
    "UrgeResult",
    "assignment_urge",
    "assignment_urge_many",
]
