"""A world for the portal's tests, built through the services: published replies that the public
reads, and around them every kind of record and field the visibility policy withholds from it,
each carrying a value of its own (SECRETS) that no portal page may show."""
from __future__ import annotations

import dataclasses
import datetime

from proposals import services
from proposals.models import Assignment, Proposal
from replies import services as reply_services
from replies.models import Reply
from tests.factories import (
    WORKFLOW_ACKNOWLEDGED_ON,
    WORKFLOW_ASSIGNED_ON,
    WORKFLOW_FEEDBACK_ON,
    WORKFLOW_REPLIED_ON,
    Cast,
    lead_assignment,
    make_cast,
    reply_drafted,
)

P = Proposal.Status
# Published, so shown: the positive control of the withheld-fields test.
PUBLIC_TITLE = "关于落实双减政策减轻学生负担的提案"
PUBLIC_BODY = "建议进一步落实双减政策,减轻义务教育阶段学生作业负担和校外培训负担。"
PUBLIC_DOC_NUMBER = "示政函〔2024〕12号"
PUBLIC_LETTER = "陈委员:\n你提出的关于双减的提案收悉,现答复如下。\n一、工作开展情况\n全市学校已落实作业总量控制。\n此复。"

SECRETS = {
    "proposer_phone": "13912345678",
    "proposer_email": "secret.member@example.org",
    "objection_reason": "异议理由甲乙丙",
    "objection_decision_note": "维持交办意见甲乙丙",
    "extension_reason": "申请延期理由甲乙丙",
    "internal_note": "内部备注甲乙丙",
    "rating_comments": "评价意见甲乙丙",
    "rating_label": "基本满意",
    "opinion_body": "会办意见正文甲乙丙",
    "contact_note": "沟通记录甲乙丙",
    "disclosure_reason": "不予公开理由甲乙丙",
    "not_public_reply": "不予公开答复正文甲乙丙",
    "unpublished_reply": "已提交未公开答复正文甲乙丙",
    "draft_reply": "答复草稿正文甲乙丙",
    "draft_title": "草稿提案案由甲乙丙",
    "submitted_title": "已提交提案案由甲乙丙",
    "assigned_title": "办理中提案案由甲乙丙",
    "not_filed_title": "不予立案提案案由甲乙丙",
    "not_filed_reason": "不予立案理由甲乙丙",
    "unpublished_title": "已提交未公开答复的提案案由甲乙丙",
}


@dataclasses.dataclass
class PortalWorld:
    cast: Cast
    public: Proposal
    public_reply: Reply
    second: Proposal  # another public one, answered by a co-handled lead
    second_reply: Reply
    hidden_replies: list[Reply]  # not public: drafts, 不予公开, submitted but not published, opinions
    hidden_proposals: list[Proposal]


def proposal_through(cast: Cast, status: str, *, title: str, body: str = "建议……", topic: str = "教育",
                     co: bool = False) -> Proposal:
    """A proposal of cast.proposer with its own title, brought to ``status`` (up to assigned) by the services."""
    proposal = services.proposal_create(actor=cast.staff, session=cast.session, title=title, body=body,
                                        topic=topic, proposers=[cast.proposer])
    if status == P.DRAFT:
        return proposal
    services.proposal_submit(actor=cast.staff, proposal=proposal)
    if status == P.SUBMITTED:
        return proposal
    if status == P.NOT_FILED:
        return services.proposal_reject(actor=cast.staff, proposal=proposal, reason=SECRETS["not_filed_reason"])
    services.proposal_file(actor=cast.staff, proposal=proposal)
    services.proposal_assign(actor=cast.staff, proposal=proposal, lead=cast.agency,
                             co=[cast.co_agency] if co else [], assigned_on=WORKFLOW_ASSIGNED_ON)
    return Proposal.objects.get(pk=proposal.pk)


def published_reply(cast: Cast, proposal: Proposal, **fields) -> Reply:
    lead = lead_assignment(proposal)
    services.assignment_acknowledge(actor=cast.liaison, assignment=lead, on=WORKFLOW_ACKNOWLEDGED_ON)
    reply = reply_drafted(cast, lead, actor=cast.liaison, **fields)
    reply = reply_services.reply_submit(actor=cast.staff, reply=reply, on=WORKFLOW_REPLIED_ON)
    return reply_services.reply_publish(actor=cast.staff, reply=reply, on=WORKFLOW_REPLIED_ON)


def build_portal_world() -> PortalWorld:
    cast = make_cast()
    cast.session.year = 2024
    cast.session.save()
    cast.proposer.phone, cast.proposer.email = SECRETS["proposer_phone"], SECRETS["proposer_email"]
    cast.proposer.save()
    staff = cast.staff

    # The public proposal: co-handled; the co-handler objected (refused) and sent an opinion; the
    # lead asked for an extension , recorded a contact, and its reply carries an internal note.
    public = proposal_through(cast, P.ASSIGNED, title=PUBLIC_TITLE, body=PUBLIC_BODY, co=True)
    lead = lead_assignment(public)
    co = public.assignments.get(role=Assignment.Role.CO)
    services.assignment_object(actor=cast.co_liaison, assignment=co, reason=SECRETS["objection_reason"],
                               on=WORKFLOW_ACKNOWLEDGED_ON)
    services.assignment_decide_objection(actor=staff, assignment=co, uphold=False,
                                         note=SECRETS["objection_decision_note"], on=WORKFLOW_ACKNOWLEDGED_ON)
    opinion = reply_drafted(cast, Assignment.objects.get(pk=co.pk), actor=cast.co_liaison,
                            body=SECRETS["opinion_body"])
    opinion = reply_services.reply_submit(actor=staff, reply=opinion, on=datetime.date(2024, 3, 20))
    services.assignment_acknowledge(actor=cast.liaison, assignment=lead, on=WORKFLOW_ACKNOWLEDGED_ON)
    request = services.extension_request(actor=cast.liaison, assignment=Assignment.objects.get(pk=lead.pk),
                                         wanted_due_on=datetime.date(2024, 7, 4), reason=SECRETS["extension_reason"],
                                         on=datetime.date(2024, 3, 11))
    services.extension_request_approve(actor=staff, extension_request=request, on=datetime.date(2024, 3, 12))
    services.contact_record(actor=cast.liaison, assignment=Assignment.objects.get(pk=lead.pk), stage="before",
                            form="phone", date=datetime.date(2024, 3, 6), note=SECRETS["contact_note"])
    reply = reply_drafted(cast, Assignment.objects.get(pk=lead.pk), actor=cast.liaison, title="关于双减提案的答复",
                          body=PUBLIC_LETTER, doc_number=PUBLIC_DOC_NUMBER, signed_on=datetime.date(2024, 5, 6),
                          internal_note=SECRETS["internal_note"])
    reply = reply_services.reply_submit(actor=staff, reply=reply, on=WORKFLOW_REPLIED_ON)
    public_reply = reply_services.reply_publish(actor=staff, reply=reply, on=WORKFLOW_REPLIED_ON)
    reply_services.feedback_give(actor=staff, reply=public_reply, proposer=cast.proposer, rating="basically",
                                 comments=SECRETS["rating_comments"], on=WORKFLOW_FEEDBACK_ON)

    second = proposal_through(cast, P.ASSIGNED, title="关于推进义务教育优质均衡发展的提案", topic="教育")
    second_reply = published_reply(cast, second, title="关于均衡发展提案的答复", body="经研究,答复如下。")

    # What the public never reads.
    hidden = []
    not_public = proposal_through(cast, P.ASSIGNED, title="不予公开的提案案由甲乙丙")
    lead_np = lead_assignment(not_public)
    services.assignment_acknowledge(actor=cast.liaison, assignment=lead_np, on=WORKFLOW_ACKNOWLEDGED_ON)
    np_reply = reply_drafted(cast, lead_np, actor=cast.liaison, body=SECRETS["not_public_reply"],
                             disclosure="not_public", disclosure_reason=SECRETS["disclosure_reason"])
    hidden.append(reply_services.reply_submit(actor=staff, reply=np_reply, on=WORKFLOW_REPLIED_ON))
    on_request = proposal_through(cast, P.ASSIGNED, title=SECRETS["unpublished_title"])
    lead_or = lead_assignment(on_request)
    services.assignment_acknowledge(actor=cast.liaison, assignment=lead_or, on=WORKFLOW_ACKNOWLEDGED_ON)
    or_reply = reply_drafted(cast, lead_or, actor=cast.liaison, body=SECRETS["unpublished_reply"])
    hidden.append(reply_services.reply_submit(actor=staff, reply=or_reply, on=WORKFLOW_REPLIED_ON))
    assigned = proposal_through(cast, P.ASSIGNED, title=SECRETS["assigned_title"])
    lead_as = lead_assignment(assigned)
    services.assignment_acknowledge(actor=cast.liaison, assignment=lead_as, on=WORKFLOW_ACKNOWLEDGED_ON)
    hidden.append(reply_drafted(cast, lead_as, actor=cast.liaison, body=SECRETS["draft_reply"]))
    hidden.append(opinion)
    hidden_proposals = [
        not_public, on_request, assigned,
        proposal_through(cast, P.DRAFT, title=SECRETS["draft_title"]),
        proposal_through(cast, P.SUBMITTED, title=SECRETS["submitted_title"]),
        proposal_through(cast, P.NOT_FILED, title=SECRETS["not_filed_title"]),
    ]
    return PortalWorld(cast=cast, public=Proposal.objects.get(pk=public.pk),
                       public_reply=Reply.objects.get(pk=public_reply.pk), second=Proposal.objects.get(pk=second.pk),
                       second_reply=Reply.objects.get(pk=second_reply.pk), hidden_replies=hidden,
                       hidden_proposals=hidden_proposals)
