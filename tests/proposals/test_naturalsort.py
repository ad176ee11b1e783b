"""Proposal numbers are kept as printed and sorted naturally (domain.md, "Who is who")."""
import pytest

from proposals.models import Proposal
from proposals.naturalsort import natural_sort_key
from tests.factories import ProposalFactory, SessionFactory


@pytest.mark.parametrize("smaller, larger", [
    ("9", "10"),
    ("10", "0325"),
    ("55", "0325"),
    ("0325", "2025D048"),
    ("2025D048", "2025D049"),
    ("2025D048", "2025D100"),
    ("6.9", "6.11"),
    ("6.11", "7"),
    ("55", "55A"),
    ("2024D9", "2025D1"),
])
def test_natural_order(smaller, larger):
    assert natural_sort_key(smaller) < natural_sort_key(larger)


def test_leading_zeros_and_spaces_do_not_change_the_place():
    assert natural_sort_key("0325") == natural_sort_key("325") == natural_sort_key(" 325 ")


def test_full_width_digits_and_letters_sort_with_their_ascii_forms():
    assert natural_sort_key("０３２５") == natural_sort_key("0325")
    assert natural_sort_key("２０２５Ｄ０４８") == natural_sort_key("2025D048")
    assert natural_sort_key("2025d048") == natural_sort_key("2025D048")


def test_the_key_fits_its_column():
    key = natural_sort_key("1" * 40 + "A" * 100)
    assert len(key) <= Proposal._meta.get_field("number_sort").max_length


@pytest.mark.django_db
def test_the_database_orders_proposals_naturally():
    session = SessionFactory()
    for number in ["0325", "6.11", "10", "2025D048", "9", "6.9", "55"]:
        ProposalFactory(session=session, number=number)
    ordered = list(Proposal.objects.filter(session=session).order_by("number_sort").values_list("number", flat=True))
    assert ordered == ["6.9", "6.11", "9", "10", "55", "0325", "2025D048"]
