"""The replies' row locks: a reply is locked after its assignment and proposal, in the order every
service locks them (proposals.services.base.lock_assignment), so that two steps on one proposal
never wait on each other crosswise."""
from proposals.services.base import lock, lock_assignment
from replies.models import Reply


def lock_reply(reply: Reply) -> Reply:
    """The reply re-read under lock, with its locked assignment and proposal attached."""
    assignment = lock_assignment(reply.assignment)
    reply = lock(Reply, reply.pk)
    reply.assignment = assignment
    return reply
