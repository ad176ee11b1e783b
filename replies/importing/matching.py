"""Find-or-create of the rows a letter refers to: committee, session, proposers, agencies.

Everything a letter names is matched to an existing row first (by name, and for agencies
by alias within the place), so that importing many letters never creates one agency or
proposer twice. A ``Matcher`` caches rows for one import run; rows created inside a
document's transaction are forgotten again if that transaction is rolled back.
"""
from __future__ import annotations

import re

from proposals.models import Agency, AgencyAlias, Committee, Proposer, Session
from proposals.search import compose
from replies.importing.rows import insert_rows

HAN = "\u3400-\u9fff"
# The four municipalities directly under the central government rank as provinces.
MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
_PLACE_RE = re.compile(
    rf"^(?:中共|中国共产党)?(?P<place>[{HAN}]{{1,10}}?(?:特别行政区|自治区|自治州|自治县|地区|省|市|州|盟|县|区|旗))"
    rf"(?P<inner>[{HAN}]{{1,8}}?(?:自治县|县|区|旗|市))?"
)
_LEVEL_CHARS = "省市州县区旗盟"
_PARTIES = ("民进", "民建", "民盟", "九三学社", "致公党", "农工党", "农工民主党", "台盟", "民革", "中共")
_ORGANISATIONS = ("工商联", "妇联", "共青团", "团市委", "团县委", "总工会", "工会", "科协", "侨联", "青联", "台联",
                  "文联", "社科联", "残联")


def place_of(name: str) -> str:
    """The place an agency or committee name starts with: 曲靖市人民政府 -> 曲靖市,
    曲靖市麒麟区教育局 -> 麒麟区; "" for a short name such as 市教委."""
    if not name or name[0] in _LEVEL_CHARS:
        return ""
    m = _PLACE_RE.match(name)
    if not m:
        return ""
    inner = m.group("inner")
    # 楚雄州楚雄市: a county-level city inside a prefecture is the more precise place.
    if inner and len(inner) >= 2 and inner[0] not in _LEVEL_CHARS and name[m.end():m.end() + 1] not in ("委", "政"):
        return inner
    return m.group("place")


def level_of_place(place: str, *, national: bool = False) -> str:
    """Committee/agency level from a place name (../shared/domain.md: national, provincial,
    prefecture city, county/district)."""
    if national or place in ("全国", "中央"):
        return "national"
    if place.endswith(("省", "自治区", "特别行政区")) or place in MUNICIPALITIES:
        return "provincial"
    if place.endswith(("县", "区", "旗")):
        return "county"
    return "city"


def committee_region(name: str) -> str:
    """曲靖市政协 -> 曲靖市; 全国政协 -> 全国."""
    if name.startswith("全国"):
        return "全国"
    return place_of(name.removeprefix("政协")) or name.removesuffix("政协").removesuffix("委员会")


def proposer_kind(name: str, parsed_kind: str) -> str:
    """Proposer.Kind of a name the parser read as a member or a collective."""
    if parsed_kind != "collective":
        return Proposer.Kind.MEMBER
    if "界别" in name or name.endswith("界"):
        return Proposer.Kind.SECTOR
    if "小组" in name:
        return Proposer.Kind.MEMBER_GROUP
    if "专门" in name and "委员会" in name or "专委会" in name:
        return Proposer.Kind.SPECIAL_COMMITTEE
    if any(p in name for p in _PARTIES):
        return Proposer.Kind.PARTY
    if any(o in name for o in _ORGANISATIONS):
        return Proposer.Kind.ORGANISATION
    return Proposer.Kind.ORGANISATION


def qualified_agency_name(short: str, region: str) -> str:
    """A short name that carries no place (市委编办) made unique by the place of the letter
    (重庆市委编办). It is not an official full name: the importer flags it for review."""
    if not region or place_of(short):
        return short
    level_char = region[-1]
    if short.startswith(level_char):
        return region + short[1:]
    return region + short


def _fit(value: str, model, field: str) -> str:
    return value[: model._meta.get_field(field).max_length]


class Matcher:
    """Row lookups for one import run, cached across documents."""

    def __init__(self):
        self._committees: dict[str, Committee] = {}
        self._sessions: dict[tuple, Session] = {}
        self._proposers: dict[tuple, Proposer] = {}
        self._agencies: dict[tuple, Agency] = {}
        self._aliases: set[tuple] = set()
        self._alias_names: dict[int, list[str]] = {}
        self._pending: list[tuple[dict | set, object]] = []

    # --- transaction bookkeeping ---------------------------------------------------
    def _remember(self, cache, key, value=None):
        if isinstance(cache, set):
            cache.add(key)
        else:
            cache[key] = value
        self._pending.append((cache, key))

    def commit(self):
        self._pending.clear()

    def reset(self):
        """Forget everything (after a failed batch of documents)."""
        self.__init__()

    def rollback(self):
        """Forget rows created in a rolled-back transaction (and anything cached with them)."""
        for cache, key in self._pending:
            if isinstance(cache, set):
                cache.discard(key)
            else:
                cache.pop(key, None)
        self._pending.clear()

    # --- lookups -------------------------------------------------------------------
    def committee(self, name: str) -> Committee:
        if name in self._committees:
            return self._committees[name]
        committee = Committee.objects.filter(name=name).first()
        if committee is None:
            region = committee_region(name)
            committee = Committee.objects.create(
                name=_fit(name, Committee, "name"), region=_fit(region, Committee, "region"),
                level=level_of_place(region, national=name.startswith("全国")),
            )
        self._remember(self._committees, name, committee)
        return committee

    def session(self, committee: Committee, term: int, number: int) -> Session:
        key = (committee.pk, term, number)
        if key in self._sessions:
            return self._sessions[key]
        session, _ = Session.objects.get_or_create(committee=committee, term=term, number=number)
        self._remember(self._sessions, key, session)
        return session

    def proposer(self, committee: Committee, name: str, parsed_kind: str) -> Proposer:
        name = _fit(name, Proposer, "name")
        key = (committee.pk, name)
        if key in self._proposers:
            return self._proposers[key]
        proposer, _ = Proposer.objects.get_or_create(
            committee=committee, name=name, defaults={"kind": proposer_kind(name, parsed_kind)})
        self._remember(self._proposers, key, proposer)
        return proposer

    def prefetch_proposers(self, wanted) -> None:
        """Find or create many proposers at once: ``wanted`` is (committee, name, parsed kind)."""
        by_committee: dict = {}
        for committee, name, kind in wanted:
            name = _fit(name, Proposer, "name")
            if (committee.pk, name) not in self._proposers:
                by_committee.setdefault(committee, {}).setdefault(name, kind)
        for committee, names in by_committee.items():
            found = {p.name: p for p in Proposer.objects.filter(committee=committee, name__in=list(names))}
            missing = [Proposer(committee=committee, name=n, kind=proposer_kind(n, k))
                       for n, k in names.items() if n not in found]
            insert_rows(Proposer, missing)
            for proposer in [*found.values(), *missing]:
                self._remember(self._proposers, (committee.pk, proposer.name), proposer)

    def agency(self, name: str, *, aliases=(), region: str = "") -> tuple[Agency, bool]:
        """The agency known by ``name`` or one of ``aliases`` (within ``region``), created if
        none is; returns (agency, created). Aliases seen are recorded as AgencyAlias rows."""
        name = name.strip()
        region = place_of(name) or region
        key = (name, region)
        agency = self._agencies.get(key)
        created = False
        if agency is None:
            agency = Agency.objects.find(name, region)
            for alias in aliases:
                if agency is None:
                    agency = Agency.objects.find(alias, region)
            if agency is None:
                agency = Agency.objects.create(
                    name=_fit(name, Agency, "name"), region=_fit(region, Agency, "region"),
                    level=level_of_place(region, national=name.startswith(("国务院", "国家", "中央"))),
                )
                created = True
            self._remember(self._agencies, key, agency)
        for alias in aliases:
            self.alias(agency, alias, region)
        return agency, created

    def alias(self, agency: Agency, alias: str, region: str) -> None:
        alias = _fit(alias.strip(), AgencyAlias, "name")
        key = (agency.pk, alias)
        if not alias or alias == agency.name or key in self._aliases:
            return
        # One short name, one agency per place: never give a second agency the same alias.
        taken = AgencyAlias.objects.filter(name=alias, agency__region=agency.region).exclude(agency=agency).exists()
        if not taken:
            _, created = AgencyAlias.objects.get_or_create(agency=agency, name=alias)
            if created and agency.pk in self._alias_names:
                self._alias_names.pop(agency.pk)
        self._remember(self._aliases, key)

    def alias_names(self, agency: Agency) -> list[str]:
        if agency.pk not in self._alias_names:
            names = sorted(AgencyAlias.objects.filter(agency=agency).values_list("name", flat=True))
            self._remember(self._alias_names, agency.pk, names)
        return self._alias_names[agency.pk]

    def search_text(self, number: str, title: str, parties) -> str:
        """Proposal.search_text of a new proposal, as proposals.search.refresh_search_text
        would compute it (proposers, then co-handlers and lead with their aliases)."""
        names = [p.name for p in parties.proposers]
        for agency in [*parties.co, parties.lead]:
            names.append(agency.name)
            names.extend(self.alias_names(agency))
        return compose(number=number, title=title, body="", names=names)
