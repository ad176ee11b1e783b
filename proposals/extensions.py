"""The extension points of the proposals app: where an app built on it (replies) adds its own
steps, page sections, list filters and fields, so that proposals never imports it.

Each app fills these in its AppConfig.ready() (replies/extensions.py); proposals reads them
when it draws a page or a serializer. A filter of the one ProposalFilterSet is added with
proposals.filtersets.add_proposal_filter. Nothing here knows the contributors.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DetailField:
    """A field added to the API's proposal detail: its serializer field (what the schema and
    the generic representation use) and how the fast representation computes it."""

    field: Callable[[], Any]          # builds a fresh serializer field
    represent: Callable[[Any, dict], Any]  # (proposal, serializer context) -> value


@dataclass
class Extensions:
    # admin: workflow steps added after proposals' own (admin.actions.Step)
    proposal_steps: list = field(default_factory=list)
    assignment_steps: list = field(default_factory=list)
    # admin: (request, proposal, sections) -> None, adds to the proposal page's sections
    proposal_page_sections: list[Callable] = field(default_factory=list)
    # admin: (user) -> list of dashboard sections (admin.dashboard.Section)
    dashboard_sections: list[Callable] = field(default_factory=list)
    # admin: (user) -> the home page's to-do counts, each with .label, .count, .url, .color, .hint
    dashboard_todo: list[Callable] = field(default_factory=list)
    # admin: list filters of the proposal changelist
    proposal_list_filters: list = field(default_factory=list)
    # API: name -> DetailField, added to the proposal detail
    proposal_detail_fields: dict[str, DetailField] = field(default_factory=dict)
    # events: action -> the TextChoices its from/to statuses belong to (a reply's, say)
    event_status_choices: dict = field(default_factory=dict)
    # events: action -> (event data) -> the structured part of its text, in the reader's language
    event_renderers: dict = field(default_factory=dict)
    # events: models whose fields a "correct" event may name (their verbose names label them)
    corrected_models: list = field(default_factory=list)
    # events: (event) -> None, called by services.base.record_event with each new event, inside
    # the step's transaction: what they write (the notifications' outbox) stands or falls with it
    event_listeners: list[Callable] = field(default_factory=list)
    # calendar: (dates) -> None, called in the transaction that changed those calendar days
    # (services.calendar.deadlines_flag_for_calendar_change): the kept figures' working days
    calendar_listeners: list[Callable] = field(default_factory=list)


registry = Extensions()
