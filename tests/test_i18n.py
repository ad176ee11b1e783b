"""The interface is Chinese by default and English on request (cookie, Accept-Language or the
admin's language switch); the English catalogue is complete, has no fuzzy entry, keeps every
placeholder, and its committed .mo says what the .po says, so an install needs no gettext tools."""
from __future__ import annotations

import ast
import datetime
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation.template import templatize

from proposals import deadlines, services
from proposals.models import Assignment, Proposal
from tests.api_support import client_for
from tests.factories import WORKFLOW_ASSIGNED_ON, admin_cast, lead_assignment, proposal_at

P = Proposal.Status
LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_PATH = LOCALE_DIR / "django.po"
MO_PATH = LOCALE_DIR / "django.mo"
# What makemessages leaves out (README, "Translations"): the virtualenv, tests, benchmarks, data.
SKIPPED_DIRS = {".venv", ".git", "tests", "benchmarks", "fixtures", "docs", "staticfiles", "locale", "node_modules"}

REPLY_DUE_ZH = "答复期限:自交办日 2024-03-04起 3 个月,至 2024-06-04"
REPLY_DUE_EN = "Reply deadline: 3 months from the assignment date 2024-03-04, due 2024-06-04"
OBJECTION_EN = "Objection window: 5 working days from the assignment date 2024-03-04, due 2024-03-11"


@pytest.fixture(autouse=True)
def default_language_afterwards():
    """LocaleMiddleware activates a request's language in the thread and leaves it there: after an
    English request, code run outside a request (the next test) would speak English."""
    yield
    translation.deactivate()


# --- The catalogue, read without gettext tools ------------------------------------------------------------

def parse_po(text: str) -> list[dict]:
    """The entries of a .po file: context, msgid, plural, msgstr (or msgstr[n]) and flags."""
    entries = []
    for block in re.split(r"\n\s*\n", text.strip()):
        entry = {"ctx": None, "id": None, "plural": None, "str": None, "strs": {}, "flags": set(), "obsolete": False}
        field = None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry["obsolete"] = True
                continue
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
                continue
            if line.startswith("#") or not line.strip():
                continue
            match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")$", line)
            if match:
                field, value = match.group(1), ast.literal_eval(match.group(2))
            else:
                value = ast.literal_eval(line)
            if field.startswith("msgstr["):
                index = int(field[7:-1])
                entry["strs"][index] = entry["strs"].get(index, "") + value
            else:
                key = {"msgctxt": "ctx", "msgid": "id", "msgid_plural": "plural", "msgstr": "str"}[field]
                entry[key] = (entry[key] or "") + value
        entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def catalogue() -> list[dict]:
    """The translated entries (the header, msgid "", is left out)."""
    return [e for e in parse_po(PO_PATH.read_text(encoding="utf-8")) if e["id"] and not e["obsolete"]]


def translations_of(entry) -> list[str]:
    return list(entry["strs"].values()) if entry["plural"] is not None else [entry["str"]]


def placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\(\w+\)[sd]|\{\w*\}", text))


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue):
    assert len(catalogue) > 400
    untranslated = [e["id"] for e in catalogue if not all(s.strip() for s in translations_of(e))]
    fuzzy = [e["id"] for e in catalogue if "fuzzy" in e["flags"]]
    plural_gaps = [e["id"] for e in catalogue if e["plural"] is not None and sorted(e["strs"]) != [0, 1]]
    assert untranslated == [] and fuzzy == [] and plural_gaps == []
    header = parse_po(PO_PATH.read_text(encoding="utf-8"))[0]
    assert header["id"] == "" and "fuzzy" not in header["flags"]
    assert "Language: en" in header["str"] and "Plural-Forms: nplurals=2; plural=(n != 1);" in header["str"]


def test_every_translation_keeps_the_placeholders_of_its_source(catalogue):
    broken = [(e["id"], s) for e in catalogue for s in translations_of(e)
              if placeholders(s) != placeholders(e["id"])]
    assert broken == []


def test_english_translations_are_english(catalogue):
    """A msgstr left in Chinese is an untranslated entry in disguise. Examples quoted from
    Chinese data (e.g. 曲靖市政协) are allowed only where the source gives them."""
    han = re.compile(r"[\u4e00-\u9fff]")
    left_chinese = [(e["id"], s) for e in catalogue for s in translations_of(e)
                    if han.search(s) and not all(word in e["id"] for word in re.findall(r"[\u4e00-\u9fff]+", s))]
    assert left_chinese == []


def test_the_committed_mo_matches_the_po(catalogue):
    """The .mo is what Django reads; recompile it (compilemessages) whenever the .po changes."""
    with MO_PATH.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for e in catalogue:
        if e["plural"] is not None:
            for n, index in ((1, 0), (2, 1)):
                got = (compiled.npgettext(e["ctx"], e["id"], e["plural"], n) if e["ctx"] is not None
                       else compiled.ngettext(e["id"], e["plural"], n))
                if got != e["strs"][index]:
                    stale.append((e["id"], n, got))
        else:
            got = compiled.pgettext(e["ctx"], e["id"]) if e["ctx"] is not None else compiled.gettext(e["id"])
            if got != e["str"]:
                stale.append((e["id"], got))
    assert stale == [], "locale/en/LC_MESSAGES/django.mo is stale: run manage.py compilemessages -l en"


# --- The catalogue covers the code ------------------------------------------------------------------------

_PY_KEYWORDS = {
    "_": ("id",), "gettext": ("id",), "gettext_lazy": ("id",), "gettext_noop": ("id",),
    "ngettext": ("id", "plural"), "ngettext_lazy": ("id", "plural"),
    "pgettext": ("ctx", "id"), "pgettext_lazy": ("ctx", "id"),
    "npgettext": ("ctx", "id", "plural"), "npgettext_lazy": ("ctx", "id", "plural"),
}
# templatize() writes {% translate %} and friends as gettext(u'…') calls, a _('…') filter argument as is.
_TEMPLATE_CALL = re.compile(r"(?<![\w.])(n?p?gettext|_)\(((?:u?(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")(?:, )?)+)")


def source_files(suffix: str):
    root = Path(settings.BASE_DIR)
    for path in sorted(root.rglob(f"*{suffix}")):
        if not SKIPPED_DIRS.intersection(path.relative_to(root).parts[:-1]):
            yield path


def marked_strings():
    """(context, msgid) of every string marked for translation in the code and the templates."""
    found = set()
    for path in source_files(".py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            roles = _PY_KEYWORDS.get(name)
            if not roles or len(node.args) < len(roles):
                continue
            values = dict(zip(roles, node.args))
            if all(isinstance(values[r], ast.Constant) and isinstance(values[r].value, str) for r in roles):
                found.add((values["ctx"].value if "ctx" in values else None, values["id"].value, path.name))
    for path in source_files(".html"):
        for call, args in _TEMPLATE_CALL.findall(templatize(path.read_text(encoding="utf-8"), origin=str(path))):
            values = ast.literal_eval(f"({args.rstrip(', ')},)")
            ctx = values[0] if call.startswith(("pgettext", "npgettext")) else None
            found.add((ctx, values[1] if ctx is not None else values[0], path.name))
    return found


def test_every_marked_string_has_an_english_translation(catalogue):
    """Adding or changing a Chinese string needs the catalogue updated too (README, "Translations"):
    makemessages, translate the new entries, compilemessages."""
    known = {(e["ctx"], e["id"]) for e in catalogue}
    missing = sorted({(ctx, msgid, where) for ctx, msgid, where in marked_strings() if (ctx, msgid) not in known},
                     key=str)
    assert len(known) > 400
    assert missing == [], "not in locale/en/LC_MESSAGES/django.po: run makemessages, translate, compilemessages"


# --- Deadline explanations --------------------------------------------------------------------------------

D = datetime.date


def test_a_deadline_is_explained_in_the_active_language():
    reply = deadlines.reply_deadline(D(2024, 3, 4), 3)
    one_month = deadlines.months_deadline("rehandle_months", "dissatisfied", D(2024, 5, 7), 1)
    fixed = deadlines.reply_deadline(D(2024, 3, 4), 3, fixed_date=D(2024, 6, 30))
    window = deadlines.Deadline(
        due_on=D(2024, 10, 12), rule="feedback_working_days", start_event="delivered", start_on=D(2024, 9, 27),
        amount=5, unit="working_days", skipped_holidays=(D(2024, 10, 1), D(2024, 10, 2)),
        counted_workdays=(D(2024, 10, 12),))
    cap = deadlines.extension_cap(reply, assigned_on=D(2024, 3, 4), reply_max_months=6, rehandle_max_months=2)
    extended = deadlines.extended_deadline(reply, D(2024, 8, 1), cap, "情况复杂")
    assert reply.explain() == REPLY_DUE_ZH
    # Issue 8: an extended deadline names the date its rule gave (not the extended one twice) and
    # states its cap, counted from the assignment.
    assert extended.explain() == ("答复期限:自交办日 2024-03-04起 3 个月,至 2024-06-04;经批准延期至 2024-08-01"
                                  "(原期限 2024-06-04,理由:情况复杂);延期上限 2024-09-04(自交办日 2024-03-04起 6 个月)")
    with translation.override("en"):
        assert reply.explain() == REPLY_DUE_EN
        assert one_month.explain() == "Re-handling deadline: 1 month from the dissatisfied rating date 2024-05-07, " \
                                      "due 2024-06-07"
        assert fixed.explain() == "Session-wide reply date: 2024-06-30 (set for the whole session)"
        assert window.explain() == (
            "Feedback window: 5 working days from the reply delivery date 2024-09-27, due 2024-10-12; "
            "holidays skipped: 2024-10-01, 2024-10-02; make-up working days counted: 2024-10-12")
        # The cap clause that follows is new in issue 8; its English comes with the catalogue update.
        assert extended.explain().startswith(
            "Reply deadline: 3 months from the assignment date 2024-03-04, due 2024-06-04; "
            "extended with approval to 2024-08-01 (originally 2024-06-04; reason: 情况复杂)")
    assert window.explain().endswith(";跳过节假日 2024-10-01、2024-10-02;计入调休上班日 2024-10-12")


def test_the_stored_explanation_stays_in_the_source_language_whatever_the_request(db):
    """What is stored is data; readers explain it in their own language."""
    cast = admin_cast()
    proposal = proposal_at(cast, P.FILED)
    with translation.override("en"):
        services.proposal_assign(actor=cast.staff, proposal=proposal, lead=cast.agency,
                                 assigned_on=WORKFLOW_ASSIGNED_ON)
    assert lead_assignment(proposal).due_explanation["due"]["text"] == REPLY_DUE_ZH


# --- The admin --------------------------------------------------------------------------------------------

@pytest.fixture
def cast(db):
    return admin_cast()


def page(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_the_admin_index_is_chinese_by_default_and_english_with_the_cookie(client, cast):
    proposal_at(cast, P.ASSIGNED)
    client.force_login(cast.staff)
    chinese = page(client, reverse("admin:index"))
    assert '<html lang="zh-hans"' in chinese
    assert "政协提案办理系统" in chinese and "已逾期的交办" in chinese and ">提案<" in chinese
    assert "办理中" in chinese  # the dashboard's count of proposals by status

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = page(client, reverse("admin:index"))
    assert '<html lang="en"' in english
    assert "CPPCC Proposal Tracker" in english and "Overdue assignments" in english
    assert ">Proposals<" in english and ">Handling agencies<" in english and ">Replies<" in english
    assert "Being handled" in english and "Signed in as: Proposal committee staff" in english
    assert "政协提案办理系统" not in english and "已逾期的交办" not in english


def test_the_proposal_page_follows_accept_language(client, cast):
    proposal = proposal_at(cast, P.ASSIGNED)
    client.force_login(cast.staff)
    url = reverse("admin:proposals_proposal_change", args=[proposal.pk])

    chinese = page(client, url)
    assert REPLY_DUE_ZH in chinese
    assert "列为重点提案" in chinese and "交办与办理期限" in chinese and "待签收" in chinese

    english = page(client, url, HTTP_ACCEPT_LANGUAGE="en")
    assert REPLY_DUE_EN in english and OBJECTION_EN in english
    assert "Mark as key proposal" in english and "Assignments and deadlines" in english
    assert "Awaiting acknowledgement" in english and "Being handled" in english  # assignment, proposal status
    assert ">Lead<" in english  # the assignment's role
    assert "Handling history" in english and "Assign to agency" in english  # the timeline
    assert REPLY_DUE_ZH not in english and "列为重点提案" not in english


def test_step_buttons_and_statuses_that_share_a_chinese_word_differ_in_english(client, cast):
    """不予立案 is a status (Not filed) and a button (Do not file); 交办 a record and a button."""
    submitted = proposal_at(cast, P.SUBMITTED)
    filed = proposal_at(cast, P.FILED)
    client.force_login(cast.staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    buttons = page(client, reverse("admin:proposals_proposal_change", args=[submitted.pk]))
    assert 'data-step="reject">Do not file<' in buttons and 'data-step="file">File<' in buttons
    assert 'data-step="assign">Assign<' in page(client, reverse("admin:proposals_proposal_change", args=[filed.pk]))
    assert ">Not filed<" in page(client, reverse("admin:proposals_proposal_changelist"))  # the status filter


def test_the_language_switch_sets_english_for_the_next_pages(client, cast):
    client.force_login(cast.staff)
    switched = client.post(reverse("set_language"), {"language": "en", "next": reverse("admin:index")})
    assert switched.status_code == 302 and switched["Location"] == reverse("admin:index")
    english = page(client, reverse("admin:proposals_proposal_changelist"))
    assert '<html lang="en"' in english and "Select Proposal to view | CPPCC Proposal Tracker" in english
    assert "Being handled" in english and "Not filed" in english  # the status filter
    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("admin:index")})
    assert "政协提案办理系统" in page(client, reverse("admin:proposals_proposal_changelist"))


def test_the_admin_explains_stored_deadline_data_and_falls_back_to_its_text(client, cast):
    proposal = proposal_at(cast, P.ASSIGNED)
    lead = lead_assignment(proposal)
    # An imported assignment carries a note instead of a computed deadline.
    Assignment.objects.filter(pk=lead.pk).update(
        due_explanation={"due": {"text": "自答复函导入:来函未载交办日期与办理期限"}})
    client.force_login(cast.staff)
    url = reverse("admin:proposals_proposal_change", args=[proposal.pk])
    assert "自答复函导入:来函未载交办日期与办理期限" in page(client, url, HTTP_ACCEPT_LANGUAGE="en")
    assignment_page = page(client, reverse("admin:proposals_assignment_change", args=[lead.pk]),
                           HTTP_ACCEPT_LANGUAGE="en")
    assert "自答复函导入" in assignment_page and "How the deadline was computed" in assignment_page


# --- The API ----------------------------------------------------------------------------------------------

def test_the_api_answers_in_english_when_asked(cast):
    proposal_at(cast, P.FILED)
    staff = client_for(cast.staff)
    chinese = staff.get("/api/proposals/").json()["results"][0]
    english = staff.get("/api/proposals/", HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    assert chinese["status_label"] == "已立案" and english["status_label"] == "Filed"


def test_api_errors_and_deadline_texts_follow_the_request_language(cast):
    filed = proposal_at(cast, P.FILED)
    staff = client_for(cast.staff)
    error = staff.post(f"/api/proposals/{filed.pk}/assign/", {"co": [cast.co_agency.pk]}, format="json",
                       HTTP_ACCEPT_LANGUAGE="en")
    assert error.status_code == 400
    assert error.json() == {"lead": ["Please choose a lead agency or separately assigned agencies"]}
    assigned = proposal_at(cast, P.ASSIGNED)
    detail = staff.get(f"/api/proposals/{assigned.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    lead = next(a for a in detail["assignments"] if a["role"] == "lead")
    assert lead["role_label"] == "Lead" and lead["status_label"] == "Awaiting acknowledgement"
    assert lead["due_explanation"]["due"]["text"] == REPLY_DUE_EN


# --- English source strings: only Django's own, which Django's Chinese catalogue translates -------------

ADMIN_MODULES = ["proposals/admin", "replies/admin.py", "replies/import_admin.py"]
HAN = re.compile(r"[\u4e00-\u9fff]")


def is_english(text: str) -> bool:
    return bool(re.search(r"[A-Za-z]", text)) and not HAN.search(text)


def english_source_strings():
    """(call, args, where) of every marked string written in English, in the templates and the admin
    modules: a Chinese reader sees such a string in English unless Django's zh_Hans catalogue has it."""
    root = Path(settings.BASE_DIR)
    for path in sorted((root / "templates").rglob("*.html")):
        for call, args in _TEMPLATE_CALL.findall(templatize(path.read_text(encoding="utf-8"), origin=str(path))):
            values = ast.literal_eval(f"({args.rstrip(', ')},)")
            if is_english(values[1] if call.startswith(("pgettext", "npgettext")) else values[0]):
                yield call, values, path.relative_to(root)
    modules = [p for name in ADMIN_MODULES for p in ([root / name] if name.endswith(".py")
                                                     else sorted((root / name).glob("*.py")))]
    for path in modules:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            call = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            roles = _PY_KEYWORDS.get(call)
            if not roles or len(node.args) < len(roles):
                continue
            values = tuple(arg.value for arg in node.args[:len(roles)] if isinstance(arg, ast.Constant))
            if len(values) == len(roles) and is_english(values[roles.index("id")]):
                yield call.replace("_lazy", "").replace("_noop", ""), values, path.relative_to(root)


def in_chinese(call: str, values: tuple) -> list[str]:
    call = "gettext" if call == "_" else call
    if call.startswith(("ngettext", "npgettext")):
        return [getattr(translation, call)(*values, n) for n in (1, 2)]
    return [getattr(translation, call)(*values)]


def test_every_english_source_string_a_chinese_reader_sees_is_translated_by_django():
    """E.g. "Please correct the errors below." alone is no msgid of Django's zh_Hans catalogue (there it is
    the plural of "Please correct the error below."): written so, it stays English in the Chinese admin."""
    with translation.override("zh-hans"):
        untranslated = [(str(where), values) for call, values, where in english_source_strings()
                        if any(not HAN.search(text) for text in in_chinese(call, values))]
    assert untranslated == []


def test_the_step_form_error_banner_is_chinese_by_default_and_english_on_request(client, cast):
    submitted = proposal_at(cast, P.SUBMITTED)
    client.force_login(cast.staff)
    url = reverse("admin:proposals_proposal_step", args=[submitted.pk, "reject"])

    chinese = client.post(url, {"reason": ""})  # a reason is required
    english = client.post(url, {"reason": ""}, HTTP_ACCEPT_LANGUAGE="en")

    assert chinese.status_code == english.status_code == 400
    chinese, english = chinese.content.decode(), english.content.decode()
    assert '<p class="errornote">请更正以下错误。</p>' in chinese
    assert "Please correct" not in chinese
    assert '<p class="errornote">Please correct the error below.</p>' in english


def test_the_chinese_catalogue_of_third_party_texts_is_compiled_and_complete():
    """locale/zh_Hans carries only texts of libraries that ship no Simplified Chinese (django-axes):
    each translated, its .mo up to date."""
    directory = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
    entries = [e for e in parse_po((directory / "django.po").read_text(encoding="utf-8")) if e["id"]]
    assert entries and all(e["str"] for e in entries)
    with (directory / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert [(e["id"], compiled.gettext(e["id"])) for e in entries if compiled.gettext(e["id"]) != e["str"]] == []
