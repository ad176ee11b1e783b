"""催办 in the admin (issue 11; services.urging): the 催办 step on an assignment's page (steps.py),
and "催办所选" on the assignment and proposal lists: an intermediate page lists what was selected
with whether each may be urged, asks for the message, then urges each one that may be and says in
the message bar what was urged and what was skipped, and why. Staff only: for anyone else the
action is not offered (``has_urge_permission``), and the service refuses it again."""
from __future__ import annotations

from collections import defaultdict

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import ngettext

from proposals import services
from proposals.admin.actions import apply_service_error
from proposals.admin.base import due_badge, status_badge
from proposals.forms import StepForm, textarea
from proposals.models import Assignment
from proposals.roles import is_committee_staff
from proposals.services.errors import ServiceError
from proposals.services.urging import MAX_BATCH, check_urge

MESSAGE_HELP = gettext_lazy("提案委员会和被催办单位可见;提案人只看到催办记录和当时的办理期限")


class UrgeForm(StepForm):
    """The 催办 step on one assignment."""

    message = forms.CharField(label=gettext_lazy("催办内容"), widget=textarea(), help_text=MESSAGE_HELP)


class UrgeSelectedForm(forms.Form):
    """The message of a bulk urge; the selection travels in the changelist's own hidden fields."""

    message = forms.CharField(label=gettext_lazy("催办内容"), widget=textarea(), help_text=MESSAGE_HELP)


def assignment_label(assignment) -> str:
    return _("第%(number)s号 %(agency)s(%(role)s)") % {
        "number": assignment.proposal.number, "agency": assignment.agency, "role": assignment.get_role_display()}


def _report(request, result, without: list[str]) -> None:
    """What was urged, then what was not, one line per reason."""
    if result.urged:
        messages.success(request, ngettext("已催办 %(n)s 个交办:%(list)s", "已催办 %(n)s 个交办:%(list)s",
                                           len(result.urged)) % {
            "n": len(result.urged), "list": "、".join(assignment_label(a) for a in result.urged)})
    skipped = defaultdict(list)
    for assignment, reason in result.skipped:
        skipped[reason].append(assignment_label(assignment))
    if without:
        skipped[_("该提案没有待办理的交办")] += without
    for reason, labels in skipped.items():
        messages.warning(request, _("未催办 %(list)s:%(reason)s") % {"list": "、".join(labels), "reason": reason})


def urge_selected_page(model_admin, request, queryset):
    """The intermediate page of "催办所选", and the urging once it is answered. Returning None
    sends the user back to the list (with its filters), where the messages say what happened."""
    selected = list(queryset.order_by().values_list("pk", flat=True)[:MAX_BATCH + 1])
    targets, without = model_admin.urge_targets(queryset) if len(selected) <= MAX_BATCH else (None, [])
    if targets is None or len(targets) > MAX_BATCH:
        messages.error(request, _("一次最多催办 %(limit)s 个交办,请缩小选择范围") % {"limit": MAX_BATCH})
        return None
    answered = "urge_confirm" in request.POST
    form = UrgeSelectedForm(request.POST if answered else None)
    status = 200
    if answered:
        if form.is_valid():
            try:
                result = services.assignment_urge_many(actor=request.user, assignments=targets,
                                                       message=form.cleaned_data["message"])
            except ServiceError as exc:
                apply_service_error(request, form, exc)
                status = exc.status_code
            else:
                _report(request, result, without)
                return None
        else:
            status = 400
    rows = []
    for assignment in targets:
        try:
            check_urge(request.user, assignment)
            reason = ""
        except ServiceError as exc:
            reason = str(exc.message)
        rows.append({"label": assignment_label(assignment), "proposal": assignment.proposal,
                     "badge": status_badge(assignment), "due": due_badge(assignment.due_on, is_open=assignment.is_open),
                     "reason": reason})
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("催办所选"),
        "opts": model_admin.opts,
        "form": form,
        "rows": rows,
        "urgeable": sum(1 for row in rows if not row["reason"]),
        "without": without,
        "selected": selected,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": model_admin.media + form.media,
    }
    return TemplateResponse(request, "admin/workflow/urge_selected.html", context, status=status)


class UrgeSelectedMixin:
    """Adds "催办所选" to a changelist; ``urge_targets`` says which assignments the selection means."""

    actions = ("urge_selected",)

    def has_urge_permission(self, request) -> bool:
        return is_committee_staff(request.user)

    @admin.action(description=gettext_lazy("催办所选"), permissions=["urge"])
    def urge_selected(self, request, queryset):
        return urge_selected_page(self, request, queryset)

    def urge_targets(self, queryset) -> tuple[list[Assignment], list[str]]:
        """The assignments to urge (at most MAX_BATCH + 1, enough to tell there are too many), and
        labels of what was selected but holds none."""
        raise NotImplementedError


def open_assignments_of(proposals) -> tuple[list[Assignment], list[str]]:
    """Every open assignment of the selected proposals, whatever its role (an objected one
    included, to be shown as skipped with the reason), and the proposals that have none."""
    targets = list(
        Assignment.objects.filter(proposal__in=proposals.values("pk"), status__in=Assignment.OPEN_STATUSES)
        .select_related("proposal", "agency").order_by("proposal__session_id", "proposal__number_sort", "role", "id")
        [:MAX_BATCH + 1])
    having = {a.proposal_id for a in targets}
    without = [_("第%(number)s号") % {"number": number} for pk, number in
               proposals.order_by("session_id", "number_sort").values_list("pk", "number") if pk not in having]
    return targets, without
