"""Who is told: the people behind each party of a proposal, as targets of a notice.

A Target is one addressee as the message greets it (an agency's liaisons, the proposal
committee, one proposer, a supervising leader) with the people who read it: accounts (active
only: an inactive account gets nothing) and bare e-mail addresses. A target with nobody behind
it still gets its notice, recorded as undeliverable for staff to see (notifications.services).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from notifications.models import LeaderContact
from proposals.models import Agency, Proposal, Proposer
from proposals.roles import STAFF_PERMISSION


@dataclass(frozen=True)
class Person:
    user: object | None = None  # an active user
    address: str = ""  # where mail goes: the user's e-mail, or an address without an account


@dataclass
class Target:
    addressee: str  # the greeting and the admin's "to" column; lazy where it is words, read in each language
    people: list[Person] = field(default_factory=list)
    agency: Agency | None = None
    proposer: Proposer | None = None


def _person(user) -> Person:
    return Person(user=user, address=user.email or "")


def agency_liaisons(agency: Agency) -> Target:
    """An agency's liaisons (Agency.liaisons), active ones."""
    users = agency.liaisons.filter(is_active=True).order_by("pk")
    return Target(addressee=agency.name, people=[_person(u) for u in users], agency=agency)


def committee_staff(committee=None) -> Target:
    """The proposal committee's staff: the active holders of the staff permission, themselves or
    through a group (proposals.roles). The tracker links staff to no particular committee, so
    every committee's notices reach them all. Superusers count only when they hold the
    permission too: an administrator's account is not a desk of the proposal committee."""
    app_label, codename = STAFF_PERMISSION.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
    users = []
    if permission is not None:
        holders = Q(user_permissions=permission) | Q(groups__permissions=permission)
        users = get_user_model().objects.filter(holders, is_active=True).distinct().order_by("pk")
    name = committee.name if committee is not None else ""
    return Target(addressee=_staff_addressee(name), people=[_person(u) for u in users])


def _staff_greeting(name: str) -> str:
    return _("%(committee)s提案委员会") % {"committee": name} if name else _("提案委员会")


_staff_addressee = lazy(_staff_greeting, str)


def proposer_target(proposer: Proposer) -> Target:
    """One proposer: its account when active, else the address on its record (Proposer.email),
    else nobody."""
    user = proposer.user
    if user is not None and user.is_active:
        people = [_person(user)]
    elif proposer.email:
        people = [Person(address=proposer.email)]
    else:
        people = []
    return Target(addressee=proposer.name, people=people, proposer=proposer)


def proposers(proposal: Proposal, *, with_merged: bool = False) -> list[Target]:
    """Each signing proposer of the proposal, in signing order; ``with_merged``: and those of the
    proposals merged into it, whose answer it is too (并案, domain.md Review). A proposer who
    signed several of them is told once."""
    proposal_ids = [proposal.pk]
    if with_merged:
        proposal_ids += list(Proposal.objects.filter(merged_into=proposal).values_list("pk", flat=True))
    seen, targets = set(), []
    signers = (Proposer.objects.filter(signatures__proposal_id__in=proposal_ids).select_related("user")
               .order_by("signatures__proposal_id", "signatures__position"))
    for proposer in signers:
        if proposer.pk not in seen:
            seen.add(proposer.pk)
            targets.append(proposer_target(proposer))
    return targets


def supervising_leader(proposal: Proposal) -> list[Target]:
    """The supervising leader of a key proposal, a name (Proposal.supervising_leader) reached
    through LeaderContact; none when the proposal names no leader."""
    name = (proposal.supervising_leader or "").strip()
    if not (proposal.is_key and name):
        return []
    contact = (LeaderContact.objects.filter(committee_id=proposal.session.committee_id, name=name)
               .select_related("user").first())
    people = []
    if contact is not None and contact.user is not None and contact.user.is_active:
        people = [Person(user=contact.user, address=contact.user.email or contact.email)]
    elif contact is not None and contact.email:
        people = [Person(address=contact.email)]
    return [Target(addressee=name, people=people)]
