"""The admin import pages: upload -> preview -> confirm, and the source page with spans marked
where staff correct an imported record."""
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

import replies.import_admin  # noqa: F401  (registered by replies/admin.py; imported here in case it is not)
from replies.demo import ensure_groups
from proposals.models import Event, Proposal
from replies.importing.pages import pack
from replies.models import ReferenceDocument, Reply, SourceDocument
from tests.factories import UserFactory, staff_user

CORPUS = Path(settings.BASE_DIR) / "fixtures" / "corpus"
QUJING = "000_0e82f41fc8321ae9.txt"
SUMMARY = "001_4ca7f3b5baa9d9b4.txt"


@pytest.fixture
def staff_client(client, db):
    ensure_groups()  # the 提案委员会 group holds every permission of the tracker's apps
    client.force_login(staff_user())
    return client


def _upload(*names, extra=()):
    files = [SimpleUploadedFile(n, (CORPUS / n).read_bytes(), content_type="text/plain") for n in names]
    return files + list(extra)


def test_preview_shows_each_parse_beside_its_source_and_writes_nothing(staff_client):
    url = reverse("admin:replies_sourcedocument_import")
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(url, {"files": _upload(QUJING, SUMMARY, extra=[
        SimpleUploadedFile("empty.txt", b"", content_type="text/plain")])})
    assert response.status_code == 200
    page = response.content.decode()
    assert "关于重视农村教育 提倡集中办学的提案" in page
    assert '<mark class="span-proposal-number span-title" title="提案号、标题">55</mark>' in page
    assert "work summary" in page  # why the second file is not a reply
    assert "empty.txt" in page and "empty file" in page
    assert len(response.context["previews"]) == 3
    assert [bool(p["token"]) for p in response.context["previews"]] == [True, True, False]
    assert SourceDocument.objects.count() == 0 and Proposal.objects.count() == 0


def test_confirm_writes_the_selected_files_with_the_user_on_the_event(staff_client):
    tokens = [pack(QUJING, (CORPUS / QUJING).read_bytes()), pack(SUMMARY, (CORPUS / SUMMARY).read_bytes())]
    response = staff_client.post(reverse("admin:replies_sourcedocument_import_confirm"), {"file": tokens})
    assert response.status_code == 302
    assert SourceDocument.objects.count() == 2
    assert ReferenceDocument.objects.count() == 1
    event = Event.objects.get(action="import")
    assert event.actor.username == "staff"
    # Confirming the same file again changes nothing.
    staff_client.post(reverse("admin:replies_sourcedocument_import_confirm"), {"file": tokens[:1]})
    assert SourceDocument.objects.count() == 2 and Event.objects.filter(action="import").count() == 1


def test_confirm_refuses_a_tampered_file_without_error(staff_client):
    response = staff_client.post(reverse("admin:replies_sourcedocument_import_confirm"), {"file": ["garbage"]},
                                 follow=True)
    assert response.status_code == 200
    assert "文件内容无效" in response.content.decode()
    assert SourceDocument.objects.count() == 0


def test_import_pages_are_for_committee_staff_only(client, db):
    client.force_login(UserFactory(username="visitor", is_staff=True))
    assert client.get(reverse("admin:replies_sourcedocument_import")).status_code == 403
    assert client.post(reverse("admin:replies_sourcedocument_import_confirm"), {"file": []}).status_code == 403


@pytest.fixture
def imported_letter(db):
    call_command("import_corpus", str(CORPUS / QUJING), stdout=io.StringIO())
    return SourceDocument.objects.get(file_name=QUJING)


def _form_data(source, **overrides):
    proposal, reply = source.proposal, source.reply
    data = {
        "proposal__title": proposal.title, "reply__title": reply.title, "reply__doc_number": reply.doc_number,
        "reply__index_number": reply.index_number, "reply__signer": reply.signer,
        "reply__signed_on": reply.signed_on.isoformat(), "reply__published_on": reply.published_on.isoformat(),
        "reply__contact_unit": reply.contact_unit, "reply__contact_person": reply.contact_person,
        "reply__contact_phone": reply.contact_phone, "reply__cc": "\n".join(reply.cc),
        "reply__classification": reply.classification, "reply__disclosure": reply.disclosure,
        "reply__disclosure_reason": reply.disclosure_reason, "reply__body": reply.body,
    }
    data.update(overrides)
    return data


def test_source_page_marks_the_spans_beside_the_record(staff_client, imported_letter):
    url = reverse("admin:replies_sourcedocument_source", args=[imported_letter.pk])
    page = staff_client.get(url).content.decode()
    assert '<mark class="span-doc-number" title="文号">曲政函〔2024〕257号</mark>' in page
    assert 'id="span-proposal_title-0"' in page
    assert 'value="关于重视农村教育 提倡集中办学的提案"' in page
    assert "人工更正" not in page
    assert staff_client.get(reverse("admin:replies_sourcedocument_changelist")).status_code == 200
    change = reverse("admin:replies_sourcedocument_change", args=[imported_letter.pk])
    assert staff_client.get(change).status_code == 200


def test_staff_correct_a_field_and_mark_the_record_reviewed(staff_client, imported_letter):
    assert imported_letter.needs_review is True
    url = reverse("admin:replies_sourcedocument_source", args=[imported_letter.pk])
    response = staff_client.post(url, _form_data(imported_letter, reply__signer="张三", reply__classification="A",
                                                 reviewed="on"))
    assert response.status_code == 302
    reply = Reply.objects.get(pk=imported_letter.reply_id)
    assert (reply.signer, reply.classification) == ("张三", "A")
    imported_letter.refresh_from_db()
    assert imported_letter.corrected_fields == ["reply.classification", "reply.signer"]
    assert imported_letter.needs_review is False
    event = Event.objects.get(action="import_correct")
    assert event.data["fields"] == ["reply.signer", "reply.classification"]
    assert "人工更正" in staff_client.get(url).content.decode()


def test_a_bad_correction_is_refused_on_the_form(staff_client, imported_letter):
    url = reverse("admin:replies_sourcedocument_source", args=[imported_letter.pk])
    response = staff_client.post(url, _form_data(imported_letter, reply__disclosure="not_public"))
    assert response.status_code == 200
    assert "不予公开须说明理由" in response.content.decode()
    assert Reply.objects.get(pk=imported_letter.reply_id).disclosure == "public"
    response = staff_client.post(url, _form_data(imported_letter, reply__signed_on="2024-13-45"))
    assert response.status_code == 200 and response.context["form"].errors


def test_reference_documents_are_listed_and_editable_by_staff(staff_client, db):
    call_command("import_corpus", str(CORPUS / SUMMARY), stdout=io.StringIO())
    document = ReferenceDocument.objects.get()
    assert staff_client.get(reverse("admin:replies_referencedocument_changelist")).status_code == 200
    url = reverse("admin:replies_referencedocument_change", args=[document.pk])
    assert staff_client.get(url).status_code == 200
    source_url = reverse("admin:replies_sourcedocument_source", args=[document.source_id])
    page = staff_client.get(source_url).content.decode()
    assert '<mark class="span-title" title="标题">县市区推进义务教育基本均衡发展工作总结</mark>' in page
    assert staff_client.post(source_url, {}).status_code == 403  # nothing to correct there
