"""What the replies app adds to the proposals app through its extension points
(proposals.extensions, proposals.filtersets.add_proposal_filter): the reply steps of an
assignment and the close step of a proposal, the replies and feedback on a proposal's admin
page, the dashboard's reply lists, the classification filter and the replies of the API's
proposal detail. Called once, from RepliesConfig.ready()."""
from __future__ import annotations

import django_filters
from django.contrib import admin
from django.db.models import Exists, OuterRef, Prefetch
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from proposals.admin.actions import Step
from proposals.admin.base import status_badge
from proposals.admin.dashboard import Section, reply_section
from proposals.admin.detail import explain_stored_deadline
from proposals.admin.steps import can
from proposals.extensions import DetailField, registry
from proposals.filtersets import add_proposal_filter
from proposals.forms import NoteForm
from proposals.roles import is_committee_staff
from proposals.visibility import Viewer
from replies import services
from replies.forms import ReplyForm, reply_values
from replies.models import Feedback, Reply
from replies.selectors import (
    replies_awaiting_feedback,
    replies_awaiting_publication,
    reply_visibility_q,
    visible_feedback,
    visible_replies,
)


def _current_reply(assignment):
    """The reply or opinion of the assignment's current round, from the page's replies."""
    round_ = assignment.rehandle_count + 1
    replies = getattr(assignment, "admin_replies", None)
    if replies is None:
        replies = list(assignment.replies.all())
    return next((r for r in replies if r.round == round_), None)


def _may_draft_reply(user, assignment) -> bool:
    return _current_reply(assignment) is None and can(services.check_reply_create)(user, assignment)


DRAFT_REPLY = Step("reply_draft", _("起草答复"),
                   lambda user, a, data: services.reply_create(actor=user, assignment=a, **reply_values(data)),
                   _may_draft_reply, form_class=ReplyForm, done=_("答复草稿已保存"))
CLOSE = Step("close", _("办结"),
             lambda user, p, data: services.proposal_close(actor=user, proposal=p, note=data["note"]),
             can(services.check_close), form_class=NoteForm,
             help_text=_("提案人满意或基本满意,或征询意见期已过,方可办结。"), done=_("提案已办结"))


def proposal_page_sections(request, proposal, sections: dict) -> None:
    """The replies and the feedback on a proposal's page, as the reader may see them."""
    user = request.user
    replies = list(
        visible_replies(user).filter(assignment__proposal=proposal)
        .select_related("assignment__agency")
        .prefetch_related(Prefetch("feedback", queryset=visible_feedback(user).select_related("proposer")))
        .order_by("assignment_id", "round", "kind")
    )
    by_assignment = {a.pk: a for a in sections["assignments"]}
    for assignment in sections["assignments"]:
        assignment.admin_replies = [r for r in replies if r.assignment_id == assignment.pk]
    reply_admin = admin.site._registry.get(Reply)
    feedback = []
    for reply in replies:
        if reply.assignment_id in by_assignment:
            reply.assignment = by_assignment[reply.assignment_id]
        reply.assignment.proposal = proposal
        reply.badge = status_badge(reply)
        reply.feedback_due_text = explain_stored_deadline(reply.feedback_due_explanation)
        reply.buttons = reply_admin.step_buttons(request, reply) if reply_admin else []
        feedback.extend(reply.feedback.all())
    sections.update(replies=replies, feedback=feedback)
    sections["extra_sections"].append("admin/replies/proposal_sections.html")


def dashboard_sections(user) -> list[Section]:
    url = reverse("admin:replies_reply_changelist")
    sections = []
    if is_committee_staff(user):
        sections.append(reply_section(
            "to_publish", _("待公开的答复"), replies_awaiting_publication(),
            f"{url}?status__exact=submitted&disclosure__exact=public&kind__exact=reply"))
        sections.append(figures_section())
    if Viewer.of(user).proposer is not None:
        sections.append(reply_section("to_rate", _("待我评价的答复"), replies_awaiting_feedback(user),
                                      f"{url}?status__exact=submitted", "warning"))
    return sections


def _classified(user, classes):
    """Proposals answered by a sent reply of one of ``classes`` *that the user may read*:
    a filter must not tell of a reply its reader cannot see (a 不予公开 reply, say)."""
    replies = Reply.objects.filter(reply_visibility_q(user)).sent().filter(
        assignment__proposal=OuterRef("pk"), kind=Reply.Kind.REPLY, classification__in=classes)
    return Exists(replies)


def figures_section() -> Section:
    """Links to the report pages (replies.figures), for staff: no rows, the links in their place."""
    from replies.figures.views import figure_links

    links = figure_links()
    return Section("figures", _("统计报表"), [], len(links), empty=format_html_join(
        " · ", '<a href="{}">{}</a>', ((url, title) for title, url in links)))


class ClassificationFilter(django_filters.MultipleChoiceFilter):
    """?classification=A,B on the proposal list and the figures."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(_classified(getattr(self.parent.request, "user", None), value))


class ClassificationListFilter(admin.SimpleListFilter):
    """The same in the admin's proposal list."""

    title = _("办理结果分类")
    parameter_name = "classification"

    def lookups(self, request, model_admin):
        return Reply.Classification.choices

    def queryset(self, request, queryset):
        if self.value() not in Reply.Classification.values:
            return queryset
        return queryset.filter(_classified(request.user, [self.value()]))


def _feedback_text(data: dict) -> str:
    """A rating's event, in the reader's language: "陈委员:满意"."""
    if "rating" not in data:
        return ""
    return f"{data.get('proposer', '')}:{dict(Feedback.Rating.choices).get(data['rating'], data['rating'])}"


def register() -> None:
    from replies import kept_figures
    from replies.api.serializers import ProposalRepliesField, represent_proposal_replies

    registry.assignment_steps.append(DRAFT_REPLY)
    registry.proposal_steps.append(CLOSE)
    registry.proposal_page_sections.append(proposal_page_sections)
    registry.dashboard_sections.append(dashboard_sections)
    registry.proposal_list_filters.append(ClassificationListFilter)
    registry.proposal_detail_fields["replies"] = DetailField(field=ProposalRepliesField,
                                                             represent=represent_proposal_replies)
    registry.event_status_choices.update({"reply_draft": Reply.Status, "publish": Reply.Status})
    registry.event_listeners.append(kept_figures.on_event)
    registry.calendar_listeners.append(kept_figures.on_calendar_change)
    registry.corrected_models.append(Reply)
    registry.event_renderers["feedback"] = _feedback_text
    add_proposal_filter("classification", ClassificationFilter(
        choices=Reply.Classification.choices, label=_("办理结果分类"),
        help_text=_("只计当前用户可见的答复")))
