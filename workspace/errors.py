"""A service's refusal as the member sees it: on the field it concerns, above the form, or in the
message bar; never a 500. SQLite's "database is locked" (another writer held the lock past the
timeout) is a moment's contention: the form stays filled in, to be sent again."""
from __future__ import annotations

from contextlib import contextmanager

from django.contrib import messages
from django.db import OperationalError

from proposals.api.errors import DATABASE_BUSY, is_database_locked
from proposals.services import ServiceError


class StepFailed(Exception):
    """Raised by ``service_step`` once the refusal is shown; ``status`` is the page's status."""

    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


@contextmanager
def service_step(request, form=None, fields: dict | None = None):
    """Run a service call; a refusal goes to ``form`` (the service's field renamed by ``fields``
    to the form's), or to the message bar when there is no form, and StepFailed is raised."""
    try:
        yield
    except ServiceError as exc:
        field = (fields or {}).get(exc.field, exc.field)
        if form is not None:
            form.add_error(field if field in form.fields else None, str(exc.message))
        else:
            messages.error(request, exc.message)
        raise StepFailed(exc.status_code) from exc
    except OperationalError as exc:
        if not is_database_locked(exc):
            raise
        if form is not None:
            form.add_error(None, str(DATABASE_BUSY))
        else:
            messages.error(request, DATABASE_BUSY)
        raise StepFailed(503) from exc


def refusal(check, *args, **kwargs) -> str:
    """Why a step's ``check_<step>`` refuses now ("" when it passes): what the page says next to
    a button it does not offer (the rule stays in the service)."""
    try:
        check(*args, **kwargs)
    except ServiceError as exc:
        return str(exc.message)
    return ""
