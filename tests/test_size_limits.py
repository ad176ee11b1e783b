"""No size is unlimited (issue 9): a proposal's or a reply's text, a rating's comment and a
contact's note are capped where they are typed (400 with the field), and an imported file
larger than a letter can be is reported, not read, parsed and shown (it was: a 50 MB letter
took 551 MB of memory and a 105 MB admin page)."""
import pytest

from proposals.models import Proposal
from proposals.services.base import MAX_TEXT_CHARS
from replies.importing import Importer
from replies.importing.service import MAX_DOCUMENT_BYTES, UNREADABLE
from replies.models import SourceDocument
from tests.api_support import client_for
from tests.factories import assignment_at, make_cast

pytestmark = pytest.mark.django_db
HUGE = "字" * (MAX_TEXT_CHARS + 1)


def test_a_huge_proposal_body_is_refused():
    cast = make_cast()
    response = client_for(cast.staff).post("/api/proposals/", {
        "session": cast.session.pk, "title": "关于停车的提案", "proposers": [cast.proposer.pk], "body": HUGE},
        format="json")
    assert response.status_code == 400 and "body" in response.json()
    assert not Proposal.objects.exists()


def test_a_huge_reply_or_note_is_refused():
    cast = make_cast()
    lead = assignment_at(cast, "acknowledged")
    client = client_for(cast.liaison)
    reply = client.post("/api/replies/", {"assignment": lead.pk, "title": "答复", "body": HUGE}, format="json")
    assert reply.status_code == 400 and "body" in reply.json()
    contact = client.post("/api/contacts/", {"assignment": lead.pk, "stage": "before", "form": "phone",
                                             "date": "2024-03-06", "note": HUGE}, format="json")
    assert contact.status_code == 400 and "note" in contact.json()


def test_a_file_larger_than_a_letter_is_reported_not_read(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * (MAX_DOCUMENT_BYTES + 1))
    [outcome] = Importer().import_paths([big])
    assert outcome.status == UNREADABLE
    assert "file too large" in outcome.report["warnings"][0]
    [uploaded] = Importer().import_many([("big.txt", b"x" * (MAX_DOCUMENT_BYTES + 1))])
    assert uploaded.status == UNREADABLE
    assert not SourceDocument.objects.exists()
