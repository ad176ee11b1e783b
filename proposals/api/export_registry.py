"""The lists an export job may write, and the list's own view built for the job's caller.

config/api.py registers every route of the one API router here (those whose ViewSet has
ExportMixin are kept): the lists of apps built on proposals (replies) included, without
proposals importing them. A job then exports through the list's own ViewSet — its queryset,
FilterSet, visibility rules and columns — never through a copy of them (list_view below).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, QueryDict
from django.utils import translation

from proposals.api.export import ExportMixin


@dataclass(frozen=True)
class Exportable:
    prefix: str  # the route: "proposals", "extension-requests" …
    basename: str  # the router's name: "proposal", "extension-request" … (ExportJob.resource)
    viewset: type


_by_prefix: dict[str, Exportable] = {}
_by_basename: dict[str, Exportable] = {}


def register_exportable(prefix: str, viewset: type, basename: str) -> None:
    """Called for each route of the API router; a ViewSet without ExportMixin is no export."""
    if isinstance(viewset, type) and issubclass(viewset, ExportMixin):
        entry = Exportable(prefix=prefix, basename=basename, viewset=viewset)
        _by_prefix[prefix] = _by_basename[basename] = entry


def _loaded() -> None:
    """The routes are registered when the URLconf is imported: by the first request in a web
    process, not yet in a management command. Loading it through Django's resolver registers them
    without proposals naming the module that does it."""
    if not _by_prefix:
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018 - imports the URLconf


def exportable_prefixes() -> list[str]:
    _loaded()
    return sorted(_by_prefix)


def by_prefix(prefix: str) -> Exportable | None:
    _loaded()
    return _by_prefix.get(prefix)


def by_basename(basename: str) -> Exportable | None:
    _loaded()
    return _by_basename.get(basename)


def list_view(entry: Exportable, *, user, query: str, language: str | None = None):
    """The list ViewSet as it serves ``GET /api/<prefix>/?<query>`` to ``user`` (None: anonymous),
    ready for its export_queryset() and export_columns(). Its permissions are checked as a request's
    would be (a refusal raises the same exception the list would answer with)."""
    django_request = HttpRequest()
    django_request.method = "GET"
    django_request.path = django_request.path_info = f"/api/{entry.prefix}/"
    django_request.GET = QueryDict(query)
    django_request.META["QUERY_STRING"] = query
    django_request.LANGUAGE_CODE = language or translation.get_language()
    view = entry.viewset()
    view.action_map = {"get": "list"}
    view.args, view.kwargs, view.headers, view.format_kwarg = (), {}, {}, None
    request = view.initialize_request(django_request)  # sets view.action = "list"
    request.user = user if user is not None else AnonymousUser()
    request.auth = None
    view.request = request
    view.check_permissions(request)
    return view
