"""Proposal numbers (domain.md: numbered per session, kept as printed, a string). A typed number
is kept as printed and must be free in its session; a blank one is numbered automatically
(``next_number``), and a clash with a draft numbered at the same moment is retried."""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField
from django.db.models.functions import Cast, Length
from django.utils.translation import gettext as _

from proposals.models import Proposal, Session
from proposals.naturalsort import natural_sort_key
from proposals.services.errors import ConcurrentChange, InvalidInput

# Called with (session, number) between choosing a number and inserting it: the moment another
# draft may take the same number. Empty in production; tests put a competing insert here to
# exercise the retry on any database (tests/proposals/test_numbering.py).
NUMBER_CHOSEN_HOOKS: list = []
AUTOMATIC_NUMBER_ATTEMPTS = 5
_ALL_DIGITS = r"^[0-9]{1,18}$"  # 18 digits still fit a bigint


def next_number(session: Session) -> str:
    """The automatic number (提案号 left blank): one more than the largest number of the session
    written in ASCII digits only, compared as integers, keeping that number's zero padding
    (9 → 10, 0325 → 0326); "1" in a session without one. Numbers of another scheme (2025D048,
    6.11) are not continued. The database finds it: one row comes back, whatever the session holds."""
    largest = (Proposal.objects.filter(session=session, number__regex=_ALL_DIGITS)
               .order_by(Cast("number", BigIntegerField()).desc(), Length("number").desc())
               .values_list("number", flat=True).first())
    return str(int(largest) + 1).zfill(len(largest)) if largest else "1"


def _insert_draft(*, session: Session, number: str, **fields) -> Proposal:
    for hook in NUMBER_CHOSEN_HOOKS:
        hook(session, number)
    with transaction.atomic():  # a savepoint: a refused number leaves the caller's transaction usable
        return Proposal.objects.create(session=session, number=number, number_sort=natural_sort_key(number),
                                       status=Proposal.Status.DRAFT, **fields)


def insert_numbered_draft(session: Session, typed: str, **fields) -> Proposal:
    """A typed number is kept as printed and must be free (400 on "number" otherwise, also when
    another draft takes it at the same moment). A blank one is numbered automatically; when the
    unique constraint refuses it (another draft took it in between), the next is tried, a few
    times, and then the request is told to try again (409), never about a number it did not type."""
    if typed:
        taken = InvalidInput(_("本次会议已有第%(number)s号提案") % {"number": typed}, field="number")
        if Proposal.objects.filter(session=session, number=typed).exists():
            raise taken
        try:
            return _insert_draft(session=session, number=typed, **fields)
        except IntegrityError as exc:
            raise taken from exc
    for _attempt in range(AUTOMATIC_NUMBER_ATTEMPTS):
        number = next_number(session)
        try:
            return _insert_draft(session=session, number=number, **fields)
        except IntegrityError:
            if not Proposal.objects.filter(session=session, number=number).exists():
                raise  # not the number: let the caller see it
    raise ConcurrentChange(_("自动编号时多次与同时起草的提案冲突,请重试或填写提案号"))
