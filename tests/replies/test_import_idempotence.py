"""Importing is idempotent and safe: checksums, corrected versions that keep staff corrections,
one transaction per document, unreadable files reported while the rest goes on, rows matched."""
import datetime
import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from proposals.models import Agency, AgencyAlias, Assignment, Committee, Event, Proposal, Proposer, Session
from replies.importing import Importer, writer
from replies.importing.corrections import source_correct
from replies.importing.matching import committee_region, level_of_place, place_of, proposer_kind
from replies.importing.service import CREATED, FAILED, LINKED, UNCHANGED, UPDATED
from replies.models import Reply, SourceDocument
from tests.factories import AgencyFactory, CommitteeFactory, ProposalFactory, SessionFactory, staff_user

CORPUS = Path(settings.BASE_DIR) / "fixtures" / "corpus"
QUJING, CHONGQING, CHUXIONG = "000_0e82f41fc8321ae9.txt", "002_ba5137bdd0dec010.txt", "004_754fd2440035fb71.txt"
MODELS = (Committee, Session, Proposer, Agency, AgencyAlias, Proposal, Assignment, Reply, Event, SourceDocument)


def counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def letter(name=QUJING, *replacements) -> bytes:
    text = (CORPUS / name).read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    return text.encode("utf-8")


def test_the_same_file_twice_changes_nothing(db):
    first = Importer().import_bytes(letter(), QUJING)
    assert first.status == CREATED
    before = counts()
    reply = Reply.objects.get()
    again = Importer().import_bytes(letter(), "renamed-copy.txt")
    assert again.status == UNCHANGED
    assert again.report["file"] == "renamed-copy.txt" and again.report["proposal_number"] == "55"
    assert counts() == before
    assert Reply.objects.get().updated_at == reply.updated_at


def test_the_same_letter_in_another_encoding_updates_nothing(db):
    Importer().import_bytes(letter(), QUJING)
    before = {k: v for k, v in counts().items() if k != "SourceDocument" and k != "Event"}
    text = letter().decode("utf-8")
    for data in (text.encode("gb18030"), b"\xef\xbb\xbf" + letter()):
        outcome = Importer().import_bytes(data, "copy.txt")
        assert outcome.status == UPDATED and outcome.changed == []
    assert {k: v for k, v in counts().items() if k != "SourceDocument" and k != "Event"} == before


def test_a_corrected_version_updates_what_the_importer_wrote_and_keeps_what_staff_corrected(db):
    Importer().import_bytes(letter(), QUJING)
    source = SourceDocument.objects.get()
    # Corrected on the source page (service) and elsewhere (any other edit path).
    source_correct(actor=staff_user(), source=source, changes={"reply.signer": "王五"})
    Reply.objects.filter(pk=source.reply_id).update(contact_unit="市政府办公室")
    corrected = letter(QUJING, ("曲政函〔2024〕257号", "曲政函〔2024〕258号"),
                       ("市政府办公室秘书三科", "市政府办公室秘书一科"), ("0874—3121678", "0874—3121679"))
    outcome = Importer().import_bytes(corrected, "000-corrected.txt")
    assert outcome.status == UPDATED
    reply = Reply.objects.get()
    assert reply.doc_number == "曲政函〔2024〕258号"          # written by the importer: updated
    assert reply.contact_phone == "0874-3121679"
    assert reply.contact_unit == "市政府办公室"                # corrected by hand: kept
    assert reply.signer == "王五"
    assert set(outcome.kept) == {"reply.signer", "reply.contact_unit"}
    assert set(outcome.changed) >= {"reply.doc_number", "reply.contact_phone", "reply.body"}
    assert Proposal.objects.count() == 1 and Reply.objects.count() == 1
    old, new = SourceDocument.objects.order_by("pk")
    assert old.superseded_by == new and new.superseded_by is None
    assert (new.proposal_id, new.reply_id) == (old.proposal_id, old.reply_id)
    assert set(new.corrected_fields) == {"reply.signer", "reply.contact_unit"}
    # A third version still keeps the corrections (the new written values remember them).
    third = letter(QUJING, ("曲政函〔2024〕257号", "曲政函〔2024〕259号"))
    Importer().import_bytes(third, "000-v3.txt")
    reply.refresh_from_db()
    assert (reply.doc_number, reply.signer, reply.contact_unit) == ("曲政函〔2024〕259号", "王五", "市政府办公室")
    # The first file again: already known, nothing changes.
    assert Importer().import_bytes(letter(), QUJING).status == UNCHANGED
    assert Reply.objects.get().doc_number == "曲政函〔2024〕259号"


def test_a_corrected_version_updates_proposers_and_the_more_flag(db):
    Importer().import_bytes(letter(), QUJING)
    outcome = Importer().import_bytes(letter(QUJING, ("陈丽琴委员:", "陈丽琴、张伟等委员:")), "v2.txt")
    assert outcome.status == UPDATED
    proposal = Proposal.objects.get()
    assert [s.proposer.name for s in proposal.signatures.order_by("position")] == ["陈丽琴", "张伟"]
    assert proposal.proposers_more is True


def test_one_document_is_all_or_nothing_and_the_next_one_goes_on(db, monkeypatch):
    before = counts()

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    importer = Importer()
    # The import event is the last row a document writes, on the bulk and the one-by-one path.
    monkeypatch.setattr(writer, "import_event", fail)
    with pytest.raises(RuntimeError):
        importer.import_bytes(letter(CHONGQING), CHONGQING)
    assert counts() == before  # no committee, agency, proposer, proposal or source left behind
    monkeypatch.undo()
    # The same importer (with its row cache) goes on and writes the document in full.
    assert importer.import_bytes(letter(CHONGQING), CHONGQING).status == CREATED
    assert Agency.objects.count() == 3 and Proposal.objects.count() == 1


def test_a_document_that_fails_in_a_batch_leaves_nothing_and_the_others_are_written(db):
    chongqing = letter(CHONGQING)
    # A row in the way of the document's last insert: its import event already exists.
    Event.objects.create(uid=writer.import_event_uid(hashlib.sha256(chongqing).hexdigest()),
                         proposal=ProposalFactory(), at=timezone.now(), action="import")
    before = counts()
    outcomes = Importer().import_many([(QUJING, letter()), (CHONGQING, chongqing),
                                       (CHUXIONG, letter(CHUXIONG))])
    assert [o.status for o in outcomes] == [CREATED, FAILED, CREATED]
    assert outcomes[1].report["warnings"][-1].startswith("not imported:")
    after = counts()
    assert after["Proposal"] == before["Proposal"] + 2
    assert after["SourceDocument"] == 2
    assert not Committee.objects.filter(name="重庆市政协").exists()
    assert not Agency.objects.filter(name__startswith="重庆").exists()


def test_a_letter_that_contradicts_the_records_is_reported_and_nothing_is_written(db):
    session = SessionFactory(committee=CommitteeFactory(name="曲靖市政协"), term=6, number=3)
    proposal = ProposalFactory(session=session, number="55", status=Proposal.Status.ASSIGNED)
    other = AgencyFactory(name="曲靖市教育体育局")
    Assignment.objects.create(proposal=proposal, agency=other, role="lead", assigned_on=datetime.date(2024, 5, 1),
                              status="acknowledged")
    before = counts()
    outcome = Importer().import_bytes(letter(), QUJING)
    assert outcome.status == FAILED
    assert "曲靖市教育体育局" in outcome.report["warnings"][-1]
    assert counts() == before


def test_a_proposal_entered_by_staff_is_linked_not_duplicated(db):
    session = SessionFactory(committee=CommitteeFactory(name="曲靖市政协", region="曲靖市"), term=6, number=3)
    proposal = ProposalFactory(session=session, number="55", title="关于集中办学的提案",
                               status=Proposal.Status.ASSIGNED)
    agency = AgencyFactory(name="曲靖市人民政府", region="曲靖市")
    Assignment.objects.create(proposal=proposal, agency=agency, role="lead", assigned_on=datetime.date(2024, 5, 1),
                              status="acknowledged")
    outcome = Importer().import_bytes(letter(), QUJING)
    assert outcome.status == LINKED
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.REPLIED
    assert proposal.title == "关于集中办学的提案"  # staff's value stays
    assert Proposal.objects.count() == 1 and Assignment.objects.count() == 1
    lead = Assignment.objects.get()
    assert lead.status == Assignment.Status.REPLIED and lead.assigned_on == datetime.date(2024, 5, 1)
    assert Reply.objects.get().assignment == lead


def test_agencies_proposers_and_sessions_are_matched_by_name_and_alias(db):
    committee = CommitteeFactory(name="重庆市政协", region="重庆市")
    session = SessionFactory(committee=committee, term=5, number=3)
    lead = AgencyFactory(name="重庆市教育委员会", region="重庆市")
    office = AgencyFactory(name="中共重庆市委机构编制委员会办公室", region="重庆市")
    office.aliases.create(name="市委编办")
    AgencyFactory(name="成都市委编办", region="成都市").aliases.create(name="市委编办")  # another place
    outcome = Importer().import_bytes(letter(CHONGQING), CHONGQING)
    assert outcome.status == CREATED
    proposal = Proposal.objects.get()
    assert proposal.session == session
    assert proposal.assignments.get(role="lead").agency == lead
    co = set(proposal.assignments.filter(role="co").values_list("agency__name", flat=True))
    assert co == {"中共重庆市委机构编制委员会办公室", "重庆市人力社保局"}
    assert list(lead.aliases.values_list("name", flat=True)) == ["市教委"]
    warnings = outcome.source.warnings
    assert not any("市委编办" in w for w in warnings) and any("市人力社保局" in w for w in warnings)
    assert Committee.objects.count() == 1 and Session.objects.count() == 1
    assert Agency.objects.count() == 4  # three that existed and 重庆市人力社保局


def test_the_short_name_of_the_lead_finds_the_agency_in_a_later_letter(db):
    Importer().import_bytes(letter(CHONGQING), CHONGQING)
    other = letter(CHONGQING, ("重庆市教育委员会关于市政协五届三次会议第0325号", "市教委关于市政协五届三次会议第0326号"),
                   ("第0325号提案)收悉", "第0326号提案)收悉"))
    outcome = Importer().import_bytes(other, "0326.txt")
    assert outcome.ok
    assert Agency.objects.filter(name__contains="教").count() == 1


@pytest.mark.parametrize("name, kind, expected", [
    ("陈丽琴", "member", "member"), ("民进楚雄州委", "collective", "party"), ("九三学社曲靖市委", "collective", "party"),
    ("中共界别", "collective", "sector"), ("经济界别委员小组", "collective", "sector"),
    ("第三委员小组", "collective", "member_group"), ("提案专门委员会", "collective", "special_committee"),
    ("市工商联", "collective", "organisation"), ("共青团曲靖市委", "collective", "organisation"),
])
def test_proposer_kinds(name, kind, expected):
    assert proposer_kind(name, kind) == expected


@pytest.mark.parametrize("name, place, level", [
    ("曲靖市人民政府", "曲靖市", "city"), ("重庆市教育委员会", "重庆市", "provincial"),
    ("云南省教育厅", "云南省", "provincial"), ("曲靖市麒麟区教育体育局", "麒麟区", "county"),
    ("楚雄州楚雄市教育体育局", "楚雄市", "city"), ("中共张掖市委办公室", "张掖市", "city"), ("市委编办", "", "city"),
])
def test_places_and_levels(name, place, level):
    assert place_of(name) == place
    assert level_of_place(place) == level


def test_committee_regions():
    assert committee_region("曲靖市政协") == "曲靖市"
    assert committee_region("全国政协") == "全国"
    assert level_of_place("全国", national=True) == "national"


def test_one_batch_with_a_file_twice_and_its_corrected_version(db):
    v2 = letter(QUJING, ("曲政函〔2024〕257号", "曲政函〔2024〕258号"))
    outcomes = Importer().import_many([(QUJING, letter()), ("copy.txt", letter()), ("v2.txt", v2)])
    assert [o.status for o in outcomes] == [CREATED, UNCHANGED, UPDATED]
    assert outcomes[1].report["file"] == "copy.txt" and outcomes[1].report["proposal_number"] == "55"
    assert Proposal.objects.count() == 1 and SourceDocument.objects.count() == 2
    assert Reply.objects.get().doc_number == "曲政函〔2024〕258号"
