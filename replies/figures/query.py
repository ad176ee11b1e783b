"""Which figures a report page shows: the filters of its query string, read by the one
ProposalFilterSet over the proposals the user may see, then replies.stats.proposal_stats, the
same way /api/stats/ reads them (replies.api.stats.StatsView: the same parameters, the agencies
named by the filters passed on as ``agency_ids``), so the page and the API agree figure for figure.

Also the filter form the pages draw: committee, session, agency (a select, or the FilterSet's
readable key as text when there are too many to list) and the submission date range.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import F
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from proposals.filtersets import ProposalFilterSet
from proposals.models import Agency, Committee, Session
from proposals.selectors import visible_proposals
from replies.stats import proposal_stats

# A select lists at most this many options; past it, the field takes the readable key as text.
SELECT_MAX = 500
# The names the form shows, as the report heads them (the FilterSet's own labels say "… id").
FORM_LABELS = {"committee_id": _("政协"), "committee": _("政协"), "session_id": _("会议"), "session": _("会议"),
               "agency_id": _("承办单位"), "agency": _("承办单位")}


@dataclass
class Option:
    value: str
    label: str
    selected: bool


@dataclass
class FormField:
    name: str
    label: str
    kind: str  # "select", "text" or "date"
    value: str = ""
    options: list[Option] = field(default_factory=list)
    help: str = ""


@dataclass
class Figures:
    params: QueryDict  # the FilterSet's parameters the figures were read with
    stats: dict | None  # replies.stats.proposal_stats' output; None when the filters are invalid
    errors: dict  # field -> messages, from the FilterSet
    conditions: list[tuple[str, str]]  # (label, value) of each filter applied, for the reader
    form: list[FormField]


def filter_params(query: QueryDict) -> QueryDict:
    """The query's parameters that the ProposalFilterSet reads, without empty ones (an unset
    field of the form), in their order."""
    params = QueryDict(mutable=True)
    for name in query:
        if name in ProposalFilterSet.base_filters and name != "ordering":
            values = [v for v in query.getlist(name) if v.strip()]
            if values:
                params.setlist(name, values)
    return params


def latest_session() -> Session | None:
    return Session.objects.select_related("committee").order_by(
        F("year").desc(nulls_last=True), "-term", "-number", "-id").first()


def _shown(value) -> str:
    if isinstance(value, (list, tuple, set)) or hasattr(value, "model"):
        return "、".join(str(v) for v in value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    return str(value)


def _conditions(filterset) -> list[tuple[str, str]]:
    rows = []
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, "", [], ()) or (hasattr(value, "exists") and not value):
            continue
        label = FORM_LABELS.get(name) or filterset.filters[name].label or name
        rows.append((str(label), _shown(value)))
    return rows


def figures_for(request, query: QueryDict, *, group_by: str) -> Figures:
    """The figures over the visible proposals that ``query``'s filters select, grouped by
    ``group_by`` (replies.stats.GROUPS)."""
    params = filter_params(query)
    proposals, agencies, errors, conditions = visible_proposals(request.user).order_by(), [], {}, []
    stats = None
    if params:
        filterset = ProposalFilterSet(params, queryset=proposals, request=request, requested_only=True)
        if filterset.is_valid():
            cleaned = filterset.form.cleaned_data
            agencies = list(cleaned.get("agency_id") or []) + list(cleaned.get("agency") or [])
            proposals = filterset.qs
            conditions = _conditions(filterset)
        else:
            errors = {name: [str(m) for m in messages] for name, messages in filterset.errors.items()}
    if not errors:
        stats = proposal_stats(proposals=proposals, user=request.user, group_by=group_by,
                               agency_ids=[a.pk for a in agencies] or None)
    return Figures(params=params, stats=stats, errors=errors, conditions=conditions, form=filter_form(params))


def _select_or_key(id_name, key_name, queryset, label_of, params, help_text) -> FormField:
    """A select of ``queryset`` by id, or the FilterSet's readable key as text when it is long."""
    label = str(FORM_LABELS[id_name])
    objects = list(queryset[:SELECT_MAX + 1])
    if len(objects) > SELECT_MAX:
        return FormField(key_name, label, "text", value=params.get(key_name, ""), help=str(help_text))
    chosen = params.get(id_name, "")
    options = [Option("", str(_("全部")), not chosen)]
    options += [Option(str(o.pk), label_of(o), str(o.pk) == chosen) for o in objects]
    return FormField(id_name, label, "select", value=chosen, options=options)


def filter_form(params: QueryDict) -> list[FormField]:
    committees = Committee.objects.order_by("name")
    sessions = Session.objects.select_related("committee").order_by("committee__name", "-term", "-number")
    committee_id = params.get("committee_id", "")
    if committee_id.isdigit():  # the sessions of the chosen committee only
        sessions = sessions.filter(committee_id=int(committee_id))
    return [
        _select_or_key("committee_id", "committee", committees, str, params, _("政协名称")),
        _select_or_key("session_id", "session", sessions, str, params, _("政协/届/次,如 曲靖市政协/6/3")),
        _select_or_key("agency_id", "agency", Agency.objects.order_by("name"), lambda a: a.name, params,
                       _("全称或简称")),
        FormField("submitted_after", str(ProposalFilterSet.base_filters["submitted_after"].label), "date",
                  value=params.get("submitted_after", "")),
        FormField("submitted_before", str(ProposalFilterSet.base_filters["submitted_before"].label), "date",
                  value=params.get("submitted_before", "")),
    ]
