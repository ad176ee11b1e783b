"""The fast load of many letters (issue 10) writes what the plain way writes: rows inserted by
insert_rows equal bulk_create's, the batch's feedback windows equal replies.services', and a
proposal is public exactly when a public reply answers it."""
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Exists, OuterRef
from django.forms.models import model_to_dict

from proposals.models import Committee, Proposal, Proposer
from replies.importing import Importer
from replies.importing.bulk import Calendars, feedback_window
from replies.importing.linking import letter_date
from replies.importing.rows import insert_rows
from replies.letters import parse_letter
from replies.models import Reply, SourceDocument
from replies.services import feedback_window as service_feedback_window

BASE = Path(settings.BASE_DIR)


def _letters(n):
    sys.path.insert(0, str(BASE / "benchmarks"))
    try:
        from import_corpus import make_letters
    finally:
        sys.path.remove(str(BASE / "benchmarks"))
    return make_letters(n, seed=7)


@pytest.mark.django_db
def test_insert_rows_writes_what_bulk_create_writes():
    committee = Committee.objects.create(name="曲靖市政协", region="曲靖市", level="city")
    fast = insert_rows(Proposer, [Proposer(committee=committee, name=f"甲{i}", kind="member") for i in range(3)])
    plain = Proposer.objects.bulk_create([Proposer(committee=committee, name=f"乙{i}", kind="member")
                                          for i in range(3)])
    assert all(p.pk and not p._state.adding for p in fast)
    stored = {p.name: model_to_dict(p, exclude=["id", "name"]) for p in Proposer.objects.all()}
    assert stored["甲0"] == stored["乙0"]
    assert [p.name for p in Proposer.objects.filter(pk__in=[p.pk for p in fast]).order_by("pk")] == ["甲0", "甲1", "甲2"]


@pytest.mark.django_db
def test_a_batch_of_letters_gets_the_services_windows_and_public_flags():
    outcomes = Importer().import_many(_letters(60))
    assert {o.status for o in outcomes} == {"created", "reference"}
    calendars = Calendars()
    for source in SourceDocument.objects.filter(reply__isnull=False).select_related("reply__assignment__proposal"):
        proposal = source.reply.assignment.proposal
        start = letter_date(parse_letter(source.text), now=None)
        expected = service_feedback_window(proposal, start)
        assert feedback_window(proposal, start, calendars) == expected
        assert (source.reply.feedback_due_on, source.reply.feedback_due_explanation) == (
            expected["feedback_due_on"], expected["feedback_due_explanation"])
    public = Reply.objects.public().filter(assignment__proposal=OuterRef("pk"))
    flags = Proposal.objects.annotate(expected=Exists(public)).values_list("answered_publicly", "expected")
    assert flags and all(flag == expected for flag, expected in flags)
    assert any(flag for flag, _ in flags)


@pytest.mark.django_db
def test_reading_in_worker_processes_imports_the_same():
    """Importer(jobs=2) reads files in two worker processes: the same outcomes as reading them here."""
    from tests.replies import letter_files as L

    files = _letters(12) + [("a.pdf", L.letter_pdf()), ("b.doc", L.legacy_doc()), ("c.txt", b"")]
    alone = [(o.status, o.report) for o in Importer(dry_run=True).import_many(files)]
    workers = [(o.status, o.report) for o in Importer(dry_run=True, jobs=2).import_many(files)]
    assert workers == alone
    assert [status for status, _ in alone][-3:] == ["parsed", "unreadable", "unreadable"]
