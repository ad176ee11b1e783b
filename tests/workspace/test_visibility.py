"""The proposal page shows a proposer what proposals.visibility lets a proposer read: handler-only
text (objection and extension reasons, the committee's internal note) and other proposers'
ratings never reach it, on any part of the page (domain.md, "Rules decided")."""
import datetime

import pytest
from django.urls import reverse

from proposals import services
from replies import services as reply_services
from tests.factories import lead_assignment, reply_drafted
from tests.workspace.conftest import FEEDBACK, assigned_recently, client_of

pytestmark = pytest.mark.django_db
SECRETS = ("不属于本单位职责的内部理由", "改由他局的处理意见", "需要协调三个部门的延期理由", "仅提案委员会可见的备注")


def test_handler_only_text_never_reaches_the_proposer(cast, member):
    proposal = assigned_recently(cast)
    lead = lead_assignment(proposal)
    # An extension, and an objection of a co-handler added later, upheld: handler-only reasons all.
    services.assignment_extend(actor=cast.staff, assignment=lead, new_due_on=lead.due_on + datetime.timedelta(days=20),
                               reason=SECRETS[2])
    services.assignment_add_co(actor=cast.staff, assignment=lead, agency=cast.co_agency, reason="调整")
    co = proposal.assignments.get(agency=cast.co_agency)
    services.assignment_object(actor=cast.co_liaison, assignment=co, reason=SECRETS[0])
    services.assignment_decide_objection(actor=cast.staff, assignment=co, uphold=True, new_agency=cast.spare_agency,
                                         note=SECRETS[1])
    reply = reply_drafted(cast, lead_assignment(proposal), actor=cast.liaison, internal_note=SECRETS[3])
    reply_services.reply_submit(actor=cast.liaison, reply=reply)

    page = member.get(reverse("workspace:proposal", args=[proposal.pk])).content.decode()
    for secret in SECRETS:
        assert secret not in page, secret
    assert "(理由仅提案委员会和该承办单位可见)" in page  # the steps stay on the timeline, their words do not
    assert "延期" in page


def test_a_co_proposers_rating_is_theirs_alone(cast, member):
    from tests.workspace.conftest import replied_today

    proposal, reply = replied_today(cast, proposers=[cast.proposer, cast.other_proposer])
    client_of(cast.other_proposer_user).post(reverse("workspace:feedback", args=[reply.pk]),
                                             {**FEEDBACK, "reason": "另一位委员的私人意见"})
    page = member.get(reverse("workspace:proposal", args=[proposal.pk])).content.decode()
    assert "另一位委员的私人意见" not in page and "您的评价" not in page
    assert "(评价仅提案委员会、被评价单位和评价人可见)" in page
    assert reverse("workspace:feedback", args=[reply.pk]) in page  # their own rating is still to give
