"""The questions committees ask with a rating (征询意见表) that the Feedback model has no field for:
was the proposer contacted before the reply, and how; does the reply answer the proposal; the
agency's attitude. Until Feedback has fields of its own (a migration of replies, not made here),
the answers travel in ``Feedback.comments`` as a block of labelled lines after the proposer's
own words, readable by whoever reads the comments (staff, the rated agency, the rater:
proposals.visibility, Audience.RATING) and read back by ``parse`` for the rater's page.

The block is written in the source language (Chinese), as the services store their texts, and
shown again in the reader's language: the stored labels are the msgids of the labels below.
"""
from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _
from django.utils.translation import override, pgettext

from proposals.models import ContactLog
from replies.models import Feedback

MARKER = "【征询意见表】"

YES, NO, PARTLY = "yes", "no", "partly"
CONTACTED_CHOICES = [(YES, _("是")), (NO, _("否"))]
CONTACT_FORM_CHOICES = ContactLog.Form.choices
ANSWERS_CHOICES = [(YES, _("是,针对所提问题作了答复")), (PARTLY, _("部分针对")), (NO, _("否,未针对所提问题"))]
ATTITUDE_CHOICES = [(code, label) for code, label in Feedback.Rating.choices
                    if code != Feedback.Rating.NOT_RATED]

# name -> (stored label, choices); the order of the lines.
QUESTIONS = {
    "contacted": (_("答复前联系沟通"), CONTACTED_CHOICES),
    "answers": (_("答复针对提案"), ANSWERS_CHOICES),
    "attitude": (_("办理态度"), ATTITUDE_CHOICES),
}
_FORMS_SEPARATOR = "、"
_LINE = re.compile(r"^(?P<label>[^::]+)[::](?P<value>.*)$")
_WITH_FORMS = re.compile(r"^(?P<value>[^((]*)[((](?P<forms>[^))]*)[))]$")


def compose(*, reason: str, contacted: str, contact_forms: list[str], answers: str, attitude: str) -> str:
    """The comments to store: the proposer's words, then the answers as labelled lines."""
    with override(None):
        lines = [MARKER]
        for name, value in (("contacted", contacted), ("answers", answers), ("attitude", attitude)):
            label, choices = QUESTIONS[name]
            text = str(dict(choices)[value])
            if name == "contacted" and value == YES and contact_forms:
                forms = dict(CONTACT_FORM_CHOICES)
                text += "(%s)" % _FORMS_SEPARATOR.join(str(forms[f]) for f in contact_forms)
            lines.append(f"{label}:{text}")
    block = "\n".join(lines)
    reason = (reason or "").strip()
    return f"{reason}\n\n{block}" if reason else block


def parse(comments: str) -> dict:
    """The proposer's words and the answers (as codes) read back from stored comments; comments
    written elsewhere (the admin, the API) come back as words only."""
    text = comments or ""
    head, marker, block = text.partition(MARKER)
    if not marker:
        return {"reason": text.strip(), "answers": {}}
    with override(None):
        by_label = {str(label): (name, {str(v): k for k, v in choices}) for name, (label, choices) in QUESTIONS.items()}
        forms_by_label = {str(v): k for k, v in CONTACT_FORM_CHOICES}
    answers: dict = {}
    for line in block.strip().splitlines():
        match = _LINE.match(line.strip())
        if not match or match["label"] not in by_label:
            continue
        name, codes = by_label[match["label"]]
        value, forms = match["value"].strip(), []
        with_forms = _WITH_FORMS.match(value)
        if with_forms:
            value = with_forms["value"].strip()
            forms = [forms_by_label[f] for f in with_forms["forms"].split(_FORMS_SEPARATOR) if f in forms_by_label]
        if value in codes:
            answers[name] = codes[value]
            if forms:
                answers["contact_forms"] = forms
    return {"reason": head.strip(), "answers": answers}


def describe(answers: dict) -> list[tuple[str, str]]:
    """(question, answer) pairs in the active language, for showing a rating's answers."""
    rows = []
    for name, (label, choices) in QUESTIONS.items():
        if name not in answers:
            continue
        text = str(dict(choices).get(answers[name], answers[name]))
        if name == "contacted" and answers.get("contact_forms"):
            forms = dict(CONTACT_FORM_CHOICES)
            text += "(%s)" % pgettext("list separator", "、").join(str(forms.get(f, f)) for f in answers["contact_forms"])
        rows.append((str(label), text))
    return rows
