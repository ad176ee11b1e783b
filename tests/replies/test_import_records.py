"""The bundled corpus imported: every field of every reply letter, read back from the DATABASE."""
import datetime
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from proposals.models import Agency, AgencyAlias, Assignment, Committee, Event, Proposal, Proposer, Session
from proposals.naturalsort import natural_sort_key
from proposals.selectors import visible_proposals
from replies.importing.writer import import_event_uid
from replies.models import ReferenceDocument, Reply, SourceDocument
from replies.selectors import visible_replies

CORPUS = Path(settings.BASE_DIR) / "fixtures" / "corpus"
QUJING, CHONGQING, CHUXIONG = "000_0e82f41fc8321ae9.txt", "002_ba5137bdd0dec010.txt", "004_754fd2440035fb71.txt"
SUMMARY, POLICY = "001_4ca7f3b5baa9d9b4.txt", "003_6cb3df024ff1df6a.txt"

LETTERS = {
    QUJING: dict(
        committee=("曲靖市政协", "city", "曲靖市"), term=6, session_number=3, number="55",
        title="关于重视农村教育 提倡集中办学的提案", proposers=[("陈丽琴", "member")], proposers_more=False,
        lead=("曲靖市人民政府", "曲靖市", "city"), lead_aliases=set(), co=[],
        doc_number="曲政函〔2024〕257号", index_number="", signed_on=datetime.date(2024, 10, 20),
        published_on=datetime.date(2024, 10, 21), signer="",
        contact=("市政府办公室秘书三科", "", "0874-3121678"), cc=[], classification="", disclosure="public",
        reply_title="曲靖市人民政府关于市政协六届三次会议第55号提案办理意见的函",
        body_has=["陈丽琴委员:", "现答复如下", "二、下一步工作", "曲靖市人民政府\n\n2024年10月20日"],
    ),
    CHONGQING: dict(
        committee=("重庆市政协", "provincial", "重庆市"), term=5, session_number=3, number="0325",
        title="关于促进基础教育优质均衡发展的建议", proposers=[("陈平", "member")], proposers_more=False,
        lead=("重庆市教育委员会", "重庆市", "provincial"), lead_aliases={"市教委"},
        co=[("重庆市人力社保局", "市人力社保局"), ("重庆市委编办", "市委编办")],
        doc_number="渝教提函〔2020〕93号", index_number="11500000009276804M/2020-03351",
        signed_on=datetime.date(2020, 4, 14), published_on=datetime.date(2020, 8, 3), signer="",
        contact=("", "", ""), cc=[], classification="", disclosure="public",
        reply_title="重庆市教育委员会关于市政协五届三次会议第0325号提案办理情况的答复函",
        body_has=["陈平委员:", "经与市委编办、市人力社保局共同研究办理", "二、下一步工作打算"],
    ),
    CHUXIONG: dict(
        committee=("楚雄市政协", "city", "楚雄市"), term=10, session_number=1, number="78",
        title="关于落实双减政策提高教育质量", proposers=[("民进楚雄州委", "party")], proposers_more=False,
        lead=("楚雄市教育体育局", "楚雄市", "city"), lead_aliases={"市教育体育局"}, co=[],
        doc_number="", index_number="cxs010-/2022-0728005", signed_on=datetime.date(2022, 6, 28),
        published_on=datetime.date(2022, 7, 28), signer="",
        contact=("", "", ""), cc=[], classification="", disclosure="public",
        reply_title="楚雄市教育体育局关于对市政协十届一次会议第78号提案的答复",
        body_has=["尊敬的民进楚雄州委:", "现答复如下", "六、提案中所提“深化教育改革,加大教育资源供给”建议。"],
    ),
}
# Page furniture that the letters' pages carry and their bodies must not.
FURNITURE = ("您当前的位置", "扫一扫在手机打开当前页", "发布时间", "字体:", "线索征集", "微博")


@pytest.fixture
def imported(db):
    call_command("import_corpus", str(CORPUS), stdout=io.StringIO(), stderr=io.StringIO())


def _proposal(spec):
    name = spec["committee"][0]
    return Proposal.objects.get_by_natural_key(name, spec["term"], spec["session_number"], spec["number"])


@pytest.mark.parametrize("file_name", sorted(LETTERS))
def test_reply_letter_records(imported, file_name):
    spec = LETTERS[file_name]
    name, level, region = spec["committee"]
    committee = Committee.objects.get(name=name)
    assert (committee.level, committee.region) == (level, region)
    session = Session.objects.get(committee=committee)
    assert (session.term, session.number) == (spec["term"], spec["session_number"])

    proposal = _proposal(spec)
    assert proposal.session == session
    assert proposal.number == spec["number"]
    assert proposal.number_sort == natural_sort_key(spec["number"])
    assert proposal.title == spec["title"]
    assert proposal.status == Proposal.Status.REPLIED
    assert proposal.proposers_more is spec["proposers_more"]
    assert proposal.body == ""  # the letter does not carry the proposal's text: never invented
    signatures = list(proposal.signatures.order_by("position").select_related("proposer"))
    assert [(s.proposer.name, s.proposer.kind) for s in signatures] == spec["proposers"]
    assert all(s.proposer.committee == committee for s in signatures)

    lead = proposal.assignments.get(role=Assignment.Role.LEAD)
    lead_name, lead_region, lead_level = spec["lead"]
    assert (lead.agency.name, lead.agency.region, lead.agency.level) == (lead_name, lead_region, lead_level)
    assert set(lead.agency.aliases.values_list("name", flat=True)) == spec["lead_aliases"]
    assert lead.status == Assignment.Status.REPLIED
    assert lead.assigned_on == spec["signed_on"]
    assert lead.replied_on == spec["signed_on"]
    assert lead.due_on is None and lead.due_explanation["imported"] is True
    co = proposal.assignments.filter(role=Assignment.Role.CO).select_related("agency").order_by("agency__name")
    assert [(a.agency.name, list(a.agency.aliases.values_list("name", flat=True))) for a in co] == [
        (full, [short]) for full, short in spec["co"]]
    assert all(a.status == Assignment.Status.REPLIED for a in co)

    reply = Reply.objects.get(assignment__proposal=proposal)
    assert reply.assignment == lead
    assert (reply.kind, reply.round, reply.status) == (Reply.Kind.REPLY, 1, Reply.Status.PUBLISHED)
    assert reply.title == spec["reply_title"]
    assert reply.doc_number == spec["doc_number"]
    assert reply.index_number == spec["index_number"]
    assert reply.signed_on == spec["signed_on"]
    assert reply.published_on == spec["published_on"]
    assert reply.signer == spec["signer"]
    assert (reply.contact_unit, reply.contact_person, reply.contact_phone) == spec["contact"]
    assert reply.cc == spec["cc"]
    assert reply.classification == spec["classification"]
    assert reply.disclosure == spec["disclosure"]
    assert reply.disclosure_reason == ""
    assert reply.body.startswith(spec["reply_title"])
    for fragment in spec["body_has"]:
        assert fragment in reply.body
    for furniture in FURNITURE:
        assert furniture not in reply.body

    source = SourceDocument.objects.get(file_name=file_name)
    assert (source.kind, source.proposal, source.reply) == ("reply", proposal, reply)
    assert source.identity == f"{name}|{spec['term']}|{spec['session_number']}|{spec['number']}|{lead_name}"
    assert source.text == (CORPUS / file_name).read_text(encoding="utf-8")
    assert source.needs_review is bool(source.warnings)
    event = Event.objects.get(proposal=proposal, action="import")
    assert event.uid == import_event_uid(source.sha256)
    assert (event.assignment, event.reply_id) == (lead, reply.pk)


@pytest.mark.parametrize("file_name", sorted(LETTERS))
def test_every_span_points_at_its_value_in_the_source(imported, file_name):
    source = SourceDocument.objects.get(file_name=file_name)
    text = source.text
    proposal, reply = source.proposal, source.reply
    assert text[slice(*source.spans["proposal_number"])] == proposal.number
    assert text[slice(*source.spans["proposal_title"])] == proposal.title
    assert text[slice(*source.spans["title"])] == reply.title
    assert [text[slice(*s)] for s in source.spans["proposers"]] == [p.name for p in proposal.proposers.all()]
    assert text[slice(*source.spans["lead_agency"])] in {reply.assignment.agency.name} | set(
        reply.assignment.agency.aliases.values_list("name", flat=True))
    if reply.doc_number:
        assert text[slice(*source.spans["doc_number"])] == reply.doc_number
    assert "signed_on" in source.spans and "published_on" in source.spans


def test_published_letters_are_public_to_anonymous_users(imported):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert set(visible_proposals(anonymous).values_list("number", flat=True)) == {"55", "0325", "78"}
    assert visible_replies(anonymous).count() == 3


def test_non_replies_become_reference_documents_never_proposals(imported):
    summary = ReferenceDocument.objects.get(source__file_name=SUMMARY)
    assert summary.title == "县市区推进义务教育基本均衡发展工作总结"
    assert (summary.issuing_body, summary.doc_number, summary.document_date) == ("", "", None)
    assert summary.source.kind == SourceDocument.Kind.OTHER
    assert "总结" in summary.source.reason
    assert "还剩35页未读" not in summary.body

    policy = ReferenceDocument.objects.get(source__file_name=POLICY)
    assert policy.title == "张掖市加快构建优质均衡的基本公共教育服务体系具体措施"
    assert policy.issuing_body == "中共张掖市委办公室"
    assert policy.doc_number == "市委办发〔2024〕2号"
    assert policy.document_date == datetime.date(2024, 1, 5)
    assert "印发" in policy.source.reason
    assert policy.source.needs_review is True  # characters lost in conversion

    for source in (summary.source, policy.source):
        assert source.proposal is None and source.reply is None and source.identity == ""
    assert Proposal.objects.count() == 3
    assert Committee.objects.count() == 3


def test_rows_are_shared_not_duplicated(imported):
    assert Agency.objects.count() == 5
    assert AgencyAlias.objects.count() == 4
    assert Proposer.objects.count() == 3
    assert Session.objects.count() == 3
    assert Assignment.objects.count() == 5
    assert Reply.objects.count() == 3
    assert Event.objects.filter(action="import").count() == 3


def test_imported_proposals_are_found_by_the_search(imported):
    from proposals.search import normalise

    text = Proposal.objects.get(number="0325").search_text
    for word in ("0325", "基础教育", "陈平", "重庆市教育委员会", "市教委", "市委编办"):
        assert normalise(word) in text
