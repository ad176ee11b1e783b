"""Workflow steps in the admin: one small form page per step, which calls the service.

A ``Step`` says what the page asks (its form), which service it calls (``perform``) and
when its button is shown (``available``, from the services' own checks). A step whose button
is not offered has no form either: its page answers the admin's 403. What is posted, the service
decides, on the locked row: a step the user has no right to is the same 403 (the reason in the
message bar); a step the record's state no longer allows, usually because someone else acted
while the form was open, is refused on the form with the service's reason; either way nothing
changes. A database that stayed locked by another writer (SQLite) is a 503 on the form, never a 500.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from proposals.api.errors import DATABASE_BUSY, is_database_locked
from proposals.forms import ConfirmForm
from proposals.services.errors import ActionForbidden, ServiceError


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    perform: Callable[[Any, Any, dict], Any]
    available: Callable[[Any, Any], bool]
    form_class: type[forms.Form] = ConfirmForm
    danger: bool = False
    secondary: bool = False
    help_text: str = ""
    done: str = _("操作已完成")


def safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def render_step_form(request, model_admin, *, form, title, obj=None, step=None, status=200, back_url=None):
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "subtitle": str(obj) if obj is not None else None,
        "opts": model_admin.opts,
        "original": obj,
        "form": form,
        "step": step,
        "media": model_admin.media + form.media,
        "next": request.POST.get("next") or request.GET.get("next") or "",
        "back_url": back_url,
    }
    return TemplateResponse(request, "admin/workflow/step_form.html", context, status=status)


def apply_service_error(request, form, exc: ServiceError) -> None:
    """Show a refusal on the field it concerns (or above the form) and in the message bar."""
    if exc.field and exc.field in form.fields:
        form.add_error(exc.field, str(exc.message))
    else:
        form.add_error(None, str(exc.message))
    messages.error(request, exc.message)


def step_not_offered(step: Step) -> PermissionDenied:
    """The admin's 403 (templates/403.html) for a step whose button this user does not have here now."""
    return PermissionDenied(_("您现在不能对这条记录执行“%(step)s”:没有相应的权限,或记录当前的状态不允许。")
                            % {"step": step.label})


def apply_database_busy(request, form) -> int:
    """The write waited for another one longer than the database allows: nothing was written,
    the form stays filled in to be sent again. Returns the status (503)."""
    form.add_error(None, str(DATABASE_BUSY))
    messages.error(request, DATABASE_BUSY)
    return 503


class WorkflowAdminMixin:
    """Adds ``<id>/step/<name>/`` pages for ``workflow_steps`` and the buttons that lead to them."""

    workflow_steps: tuple[Step, ...] = ()

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        urls = [path("<path:object_id>/step/<slug:step_name>/", self.admin_site.admin_view(self.step_view),
                     name="%s_%s_step" % info)]
        return urls + super().get_urls()

    def step_url(self, obj, step: Step | str) -> str:
        name = step if isinstance(step, str) else step.name
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_step",
                       args=[obj.pk, name], current_app=self.admin_site.name)

    def step_buttons(self, request, obj) -> list[dict]:
        user = request.user
        return [
            {"label": step.label, "url": self.step_url(obj, step), "danger": step.danger,
             "secondary": step.secondary, "name": step.name}
            for step in self.workflow_steps if step.available(user, obj)
        ]

    def change_view_context(self, request, obj) -> dict:
        """What a change page adds below its fields; the buttons, and more where a model has more."""
        return {"workflow_buttons": self.step_buttons(request, obj)}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        if obj is not None and self.has_view_permission(request, obj):
            extra_context.update(self.change_view_context(request, obj))
        return super().change_view(request, object_id, form_url, extra_context)

    def workflow_return_url(self, obj) -> str:
        """Where a finished step leads: by default the object's own page."""
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk],
                       current_app=self.admin_site.name)

    def step_view(self, request, object_id, step_name):
        step = next((s for s in self.workflow_steps if s.name == step_name), None)
        if step is None:
            raise Http404(_("没有这个操作"))
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404(_("记录不存在或无权查看"))
        offered = step.available(request.user, obj)
        back = safe_next(request, self.workflow_return_url(obj))
        kwargs = {"user": request.user, "obj": obj}
        if request.method != "POST":
            if not offered:
                raise step_not_offered(step)
            return render_step_form(request, self, form=step.form_class(**kwargs), title=step.label, obj=obj,
                                    step=step, back_url=back)
        form = step.form_class(request.POST, **kwargs)
        if not form.is_valid():
            if not offered:
                raise step_not_offered(step)  # no form to correct for a step one may not take
            status = 400
        else:
            try:
                step.perform(request.user, obj, form.cleaned_data)
            except ActionForbidden as exc:
                messages.error(request, exc.message)
                raise PermissionDenied from exc  # the same page as above, the service's reason in the message bar
            except ServiceError as exc:
                apply_service_error(request, form, exc)
                status = exc.status_code
            except OperationalError as exc:
                if not is_database_locked(exc):
                    raise
                status = apply_database_busy(request, form)
            else:
                messages.success(request, step.done)
                return HttpResponseRedirect(back)
        return render_step_form(request, self, form=form, title=step.label, obj=obj, step=step, status=status,
                                back_url=back)
