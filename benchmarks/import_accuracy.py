"""Accuracy of the letter parser on the labelled evaluation set (issue 10).

Every page of tests/replies/evaluation/ goes through the importer's own entry point
(decode_document + parse_letter) and each extracted field is compared with the hand-made
label. The printed table gives, per field:

- right: the value equals the label (or one of its listed alternatives), empty where the
  label is empty;
- wrong: both filled, different values;
- invented: a value where the label says the letter does not give one;
- missed: empty where the label has a value.

Look-alikes (news items, templates, people's congress replies ...) are scored on their kind
only: any look-alike read as a reply or an opinion is counted and listed. Overall accuracy
is (right fields + right kinds) / (scored fields + pages).

Usage:
    .venv/bin/python benchmarks/import_accuracy.py [--set tests/replies/evaluation] [--json] [-v]

--json also writes benchmarks/out/import_accuracy.json; -v lists every field that is not right.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
if str(BASE) not in sys.path:
    sys.path.insert(0, str(BASE))

from replies.letters import decode_document, parse_letter  # noqa: E402

DEFAULT_SET = BASE / "tests" / "replies" / "evaluation"
OUT = BASE / "benchmarks" / "out"
FIELDS = ("committee", "term", "session_number", "proposal_number", "proposal_title", "proposers",
          "proposer_kinds", "agency", "lead_agency", "doc_number", "classification", "signed_on")
LETTER_KINDS = ("reply", "opinion")
_SPACE = re.compile(r"\s+")


def predicted_kind(parsed) -> str:
    """reply | opinion | lookalike, as the importer would treat the page."""
    letter_type = getattr(parsed, "letter_type", None)
    if letter_type in LETTER_KINDS:
        return letter_type
    return "reply" if parsed.kind == "reply" else "lookalike"


def extract(parsed) -> dict:
    """The label fields from a ParsedLetter. The writing agency is the issuing body (the
    signature's agency), or the lead agency where the letter names no other writer."""
    signed = parsed.signed_on
    return {
        "committee": parsed.committee,
        "term": parsed.term,
        "session_number": parsed.session_number,
        "proposal_number": parsed.proposal_number,
        "proposal_title": parsed.proposal_title,
        "proposers": list(parsed.proposers),
        "proposer_kinds": list(parsed.proposer_kinds),
        "agency": parsed.issuing_body or parsed.lead_agency,
        "lead_agency": parsed.lead_agency,
        "doc_number": parsed.doc_number,
        "classification": parsed.classification,
        "signed_on": signed.isoformat() if isinstance(signed, dt.date) else signed,
    }


def _norm(value):
    """Comparable form: whitespace-free strings, lists of those, None for every empty value."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, str):
        return _SPACE.sub("", value) or None
    if isinstance(value, (list, tuple)):
        return tuple(_norm(v) for v in value) or None
    return value


@dataclass
class FieldScore:
    right: int = 0
    wrong: int = 0
    invented: int = 0
    missed: int = 0

    @property
    def total(self) -> int:
        return self.right + self.wrong + self.invented + self.missed

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 1.0


@dataclass
class Result:
    fields: dict[str, FieldScore] = field(default_factory=lambda: {f: FieldScore() for f in FIELDS})
    pages: int = 0
    letters: int = 0
    lookalikes: int = 0
    kind_right: int = 0
    lookalikes_taken: list[str] = field(default_factory=list)
    letters_refused: list[str] = field(default_factory=list)
    kind_errors: list[tuple[str, str, str]] = field(default_factory=list)   # id, labelled, predicted
    errors: list[tuple[str, str, str, object, object]] = field(default_factory=list)  # id, field, verdict, label, got

    @property
    def field_right(self) -> int:
        return sum(s.right for s in self.fields.values())

    @property
    def field_total(self) -> int:
        return sum(s.total for s in self.fields.values())

    @property
    def invented(self) -> int:
        return sum(s.invented for s in self.fields.values())

    @property
    def field_accuracy(self) -> float:
        return self.field_right / self.field_total if self.field_total else 1.0

    @property
    def overall(self) -> float:
        total = self.field_total + self.pages
        return (self.field_right + self.kind_right) / total if total else 1.0

    def as_dict(self) -> dict:
        return {
            "pages": self.pages, "letters": self.letters, "lookalikes": self.lookalikes,
            "fields": {name: {"right": s.right, "wrong": s.wrong, "invented": s.invented, "missed": s.missed,
                              "accuracy": round(s.accuracy, 4)} for name, s in self.fields.items()},
            "field_accuracy": round(self.field_accuracy, 4),
            "kind_right": self.kind_right,
            "invented": self.invented,
            "lookalikes_taken": self.lookalikes_taken,
            "letters_refused": self.letters_refused,
            "kind_errors": [list(e) for e in self.kind_errors],
            "overall": round(self.overall, 4),
            "errors": [[i, f, v, lab, got] for i, f, v, lab, got in self.errors],
        }


def load_set(path: Path = DEFAULT_SET) -> list[dict]:
    labels = json.loads((path / "labels.json").read_text(encoding="utf-8"))
    return labels["pages"]


def parse_page(path: Path, page: dict):
    """The importer's entry point: bytes -> text -> ParsedLetter."""
    file = path / page["file"]
    return parse_letter(decode_document(file.read_bytes(), file.name))


def score_page(result: Result, page: dict, parsed) -> None:
    result.pages += 1
    labelled, got_kind = page["kind"], predicted_kind(parsed)
    if labelled == got_kind:
        result.kind_right += 1
    else:
        result.kind_errors.append((page["id"], labelled, got_kind))
    if labelled == "lookalike":
        result.lookalikes += 1
        if got_kind in LETTER_KINDS:
            result.lookalikes_taken.append(page["id"])
        return
    result.letters += 1
    if got_kind not in LETTER_KINDS:
        result.letters_refused.append(page["id"])
    got = extract(parsed)
    alternatives = page.get("alternatives") or {}
    for name in FIELDS:
        label, value = _norm(page["fields"].get(name)), _norm(got[name])
        accepted = {label} | {_norm(a) for a in alternatives.get(name, [])}
        score = result.fields[name]
        if value in accepted:
            score.right += 1
            continue
        if label is None:
            score.invented += 1
            verdict = "invented"
        elif value is None:
            score.missed += 1
            verdict = "missed"
        else:
            score.wrong += 1
            verdict = "wrong"
        result.errors.append((page["id"], name, verdict, page["fields"].get(name), got[name]))


def evaluate(path: Path = DEFAULT_SET) -> Result:
    result = Result()
    for page in load_set(path):
        score_page(result, page, parse_page(path, page))
    return result


def format_table(result: Result) -> str:
    lines = [f"{'field':<16}{'right':>6}{'wrong':>7}{'invented':>10}{'missed':>8}{'accuracy':>10}"]
    for name, s in result.fields.items():
        lines.append(f"{name:<16}{s.right:>6}{s.wrong:>7}{s.invented:>10}{s.missed:>8}{s.accuracy:>9.1%}")
    lines.append(f"{'all fields':<16}{result.field_right:>6}"
                 f"{sum(s.wrong for s in result.fields.values()):>7}{result.invented:>10}"
                 f"{sum(s.missed for s in result.fields.values()):>8}{result.field_accuracy:>9.1%}")
    lines.append("")
    lines.append(f"pages {result.pages}: {result.letters} letters (replies and opinions), {result.lookalikes} look-alikes")
    lines.append(f"kind right: {result.kind_right}/{result.pages}"
                 + (f"  (wrong: {', '.join(f'{i} {a}->{b}' for i, a, b in result.kind_errors)})"
                    if result.kind_errors else ""))
    lines.append(f"look-alikes taken as letters: {len(result.lookalikes_taken)}/{result.lookalikes}"
                 + (f" ({', '.join(result.lookalikes_taken)})" if result.lookalikes_taken else ""))
    lines.append(f"letters not recognised: {len(result.letters_refused)}/{result.letters}"
                 + (f" ({', '.join(result.letters_refused)})" if result.letters_refused else ""))
    lines.append(f"invented values: {result.invented}")
    lines.append(f"overall (fields + kinds): {result.overall:.1%}")
    return "\n".join(lines)


def format_errors(result: Result) -> str:
    return "\n".join(f"{i} {name:<16} {verdict:<9} label={label!r} got={got!r}"
                     for i, name, verdict, label, got in result.errors)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", type=Path, default=DEFAULT_SET, help="folder with labels.json and pages/")
    ap.add_argument("--json", action="store_true", help="also write benchmarks/out/import_accuracy.json")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every field that is not right")
    args = ap.parse_args(argv)
    result = evaluate(args.set)
    print(format_table(result))
    if args.verbose and result.errors:
        print()
        print(format_errors(result))
    if args.json:
        OUT.mkdir(parents=True, exist_ok=True)
        target = OUT / "import_accuracy.json"
        target.write_text(json.dumps(result.as_dict(), ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        print(f"\nwritten: {target.relative_to(BASE)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
