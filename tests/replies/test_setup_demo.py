"""`make run` calls setup_demo every time: the second run must duplicate and reset nothing.
`make run` serves with DEBUG on, where the demo users are created; the tests run with DEBUG
off, as pytest-django sets it, so they pass --force (tests/test_security.py covers the refusal)."""
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from proposals.models import Agency, Proposal
from replies.models import Reply, SourceDocument


def _counts():
    return (Proposal.objects.count(), Reply.objects.count(), Agency.objects.count(),
            SourceDocument.objects.count(), get_user_model().objects.count())


@pytest.mark.django_db
def test_setup_demo_loads_corpus_and_users_once():
    call_command("setup_demo", "--force", stdout=StringIO())
    first = _counts()
    assert SourceDocument.objects.count() == 5
    assert Reply.objects.filter(status=Reply.Status.PUBLISHED).count() == 3
    assert set(get_user_model().objects.values_list("username", flat=True)) >= {"staff", "liaison", "member"}

    out = StringIO()
    call_command("setup_demo", "--force", stdout=out)
    assert _counts() == first
    assert "Corpus already loaded" in out.getvalue()


@pytest.mark.django_db
def test_setup_demo_keeps_staff_corrections_to_corpus_records():
    call_command("setup_demo", "--force", stdout=StringIO())
    proposal = Proposal.objects.get(session__committee__name="曲靖市政协", number="55")
    Proposal.objects.filter(pk=proposal.pk).update(topic="教育")
    call_command("setup_demo", "--force", stdout=StringIO())
    proposal.refresh_from_db()
    assert proposal.topic == "教育"


@pytest.mark.django_db
def test_demo_has_an_overdue_proposal_for_the_liaison_to_see():
    from proposals.selectors import overdue_assignments

    call_command("setup_demo", "--force", stdout=StringIO())
    late = overdue_assignments().filter(agency__name="示范市教育局")
    assert late.count() == 1
    assert late.get().agency.liaisons.filter(username="liaison").exists()
