"""The words: a committee's own template wins over the shipped text, per language; a broken
template never stops a step; each reader gets the message in their own language."""
from __future__ import annotations

import pytest

from notifications import templates
from notifications.models import MessageTemplate, Notification, NotificationPreference
from proposals.models import Proposal
from tests.factories import CommitteeFactory, lead_assignment, proposal_at

pytestmark = pytest.mark.django_db
K = Notification.Kind


def assignment_notice(cast):
    proposal_at(cast, Proposal.Status.ASSIGNED)
    return Notification.objects.get(kind=K.ASSIGNMENT_NEW, channel="inbox")


def test_the_committees_own_template_wins_over_the_default_and_the_shipped_text(world):
    cast = world
    MessageTemplate.objects.create(committee=None, kind=K.ASSIGNMENT_NEW, subject="全局:{{ proposal }}",
                                   body="全局正文")
    MessageTemplate.objects.create(committee=CommitteeFactory(), kind=K.ASSIGNMENT_NEW, subject="别的政协",
                                   body="别的政协正文")
    MessageTemplate.objects.create(committee=cast.session.committee, kind=K.ASSIGNMENT_NEW,
                                   subject="【交办通知】{{ agency }}:{{ proposal }}",
                                   body="{{ addressee }}:请于{{ due_on }}前办结。{{ url }}")
    notice = assignment_notice(cast)
    due = lead_assignment(notice.proposal).due_on.isoformat()
    assert notice.subject == f"【交办通知】{cast.agency.name}:{cast.session}第{notice.proposal.number}号提案“关于改善城区交通的提案”"
    assert notice.body == f"{cast.agency.name}:请于{due}前办结。http://127.0.0.1:8000{notice.link}"


def test_a_default_row_for_every_committee_applies_where_the_committee_has_none(world):
    cast = world
    MessageTemplate.objects.create(committee=None, kind=K.ASSIGNMENT_NEW, subject="全局:{{ agency }}", body="全局正文")
    notice = assignment_notice(cast)
    assert (notice.subject, notice.body) == (f"全局:{cast.agency.name}", "全局正文")


def test_deleting_the_row_goes_back_to_the_shipped_text(world):
    cast = world
    row = MessageTemplate.objects.create(committee=cast.session.committee, kind=K.ASSIGNMENT_NEW, subject="x", body="y")
    row.delete()
    assert assignment_notice(cast).subject.startswith("【新交办】")


def test_a_template_that_fails_falls_back_to_the_shipped_text(world):
    cast = world
    MessageTemplate.objects.create(committee=cast.session.committee, kind=K.ASSIGNMENT_NEW,
                                   subject="{% if %}", body="{{ proposal|date:'Y' }}")
    MessageTemplate.objects.create(committee=None, kind=K.PROPOSAL_FILED, subject="x",
                                   body='{% include "admin/base.html" %}')  # no loaders: no site template
    subject, body = templates.render(K.PROPOSAL_FILED, committee_id=None, language="zh-hans",
                                     context={"proposal": "第1号提案"})
    assert subject == "【已立案】第1号提案" and "<html" not in body
    notice = assignment_notice(cast)
    assert notice.subject.startswith("【新交办】") and "办理页面" in notice.body


def test_each_reader_gets_the_text_in_their_language(world):
    cast = world
    NotificationPreference.objects.create(user=cast.liaison, language="en")
    MessageTemplate.objects.create(committee=None, kind=K.ASSIGNMENT_NEW, language="en",
                                   subject="New assignment: No. {{ agency }}", body="Due: {{ due_explanation }}")
    cast.co_agency.liaisons.add(cast.other_liaison)  # keeps Chinese
    proposal_at(cast, Proposal.Status.ASSIGNED, co=True)
    english = Notification.objects.get(kind=K.ASSIGNMENT_NEW, channel="inbox", recipient=cast.liaison)
    chinese = Notification.objects.get(kind=K.ASSIGNMENT_NEW, channel="inbox", recipient=cast.other_liaison)
    assert english.language == "en" and english.subject == f"New assignment: No. {cast.agency.name}"
    assert english.body.startswith("Due: Reply deadline: 3 months from the") and "2024-03-04" in english.body
    assert chinese.language == "zh-hans" and chinese.subject.startswith("【新交办】")
    assert "会办意见期限:自交办日 2024-03-04起 1 个月" in chinese.body


def test_every_kind_has_a_shipped_text_that_renders(world):
    context = {name: "X" for kind in K.values for name in templates.variables(kind)}
    for kind in K.values:
        subject, body = templates.render(kind, committee_id=None, language="zh-hans", context=context)
        assert subject and body, kind
        assert "{{" not in subject + body and "{%" not in subject + body, kind
