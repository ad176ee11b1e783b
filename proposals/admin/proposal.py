"""The proposal list and page: what each role may see (proposals.selectors), the workflow
buttons (steps.py), the co-signing invitations (services.cosigning) and the add form that
drafts through services.proposal_create."""
from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import OuterRef, Subquery, prefetch_related_objects
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from proposals import forms, services
from proposals.admin.actions import WorkflowAdminMixin, apply_service_error, render_step_form
from proposals.admin.base import ReadOnlyInline, RecordAdmin, due_badge, status_badge
from proposals.admin.detail import proposal_sections
from proposals.admin.exports import ExportButtonsMixin
from proposals.admin.filters import AgencyFilter, DueFilter, RoleFilter
from proposals.admin.steps import proposal_steps
from proposals.admin.urging import UrgeSelectedMixin, open_assignments_of
from proposals.extensions import registry
from proposals.models import Assignment, CoSignInvitation, Proposal, ProposalProposer
from proposals.roles import is_committee_staff, proposer_id
from proposals.selectors import today, visible_proposals, visible_proposers
from proposals.services import cosigning
from proposals.services.errors import ServiceError
from proposals.visibility import Viewer, invitation_visible


class ProposalProposerInline(ReadOnlyInline, admin.TabularInline):
    model = ProposalProposer
    fields = ("position_label", "proposer", "kind")
    readonly_fields = ("position_label", "proposer", "kind")
    ordering = ("position",)
    verbose_name = _("提案人")
    verbose_name_plural = _("提案人(按签名顺序)")

    def get_queryset(self, request):
        return (super().get_queryset(request).filter(proposer__in=visible_proposers(request.user))
                .select_related("proposer"))

    @admin.display(description=_("顺序"))
    def position_label(self, obj):
        return _("第一提案人") if obj.is_lead else _("联名第%(n)s位") % {"n": obj.position + 1}

    @admin.display(description=_("类型"))
    def kind(self, obj):
        return obj.proposer.get_kind_display()


def invitations_section(user, proposal) -> list:
    """The proposal's co-signing invitations (services.cosigning) the reader may see
    (proposals.visibility.invitation_visible), each with the status the rule gives it: one
    unanswered past its window reads as expired before anyone has recorded it."""
    on = today()
    labels = dict(CoSignInvitation.Status.choices)
    viewer = Viewer.of(user)
    signers = {s.proposer_id for s in proposal.signatures.all()}
    invitations = [i for i in proposal.invitations.select_related("proposer").order_by("id")
                   if invitation_visible(viewer, i, signers)]
    for invitation in invitations:
        invitation.status_text = labels[cosigning.effective_status(invitation, on)]
    return invitations


def _lead_proposer_name():
    return Subquery(ProposalProposer.objects.filter(proposal=OuterRef("pk")).order_by("position")
                    .values("proposer__name")[:1])


def _lead_agency_name():
    """The lead agency, or the first separately-assigned one when the proposal was split (分办)."""
    return Subquery(
        Assignment.objects.answering().filter(proposal=OuterRef("pk"))
        .order_by("role", "id").values("agency__name")[:1]
    )


@admin.register(Proposal)
class ProposalAdmin(ExportButtonsMixin, UrgeSelectedMixin, WorkflowAdminMixin, RecordAdmin):
    export_resource = "proposals"

    @property
    def workflow_steps(self):
        return proposal_steps()
    list_display = ("number_display", "title", "session_display", "lead_proposer", "lead_agency", "status_display",
                    "next_due_display", "is_key")
    list_display_links = ("number_display", "title")
    list_filter = ("session", "status", AgencyFilter, RoleFilter, DueFilter, "is_key")
    search_fields = ("number", "title", "signatures__proposer__name", "assignments__agency__name",
                     "assignments__agency__aliases__name")
    list_per_page = 50
    ordering = ("session", "number_sort")
    inlines = (ProposalProposerInline,)
    fieldsets = (
        (None, {"fields": ("session", "number", "title", "topic", "status_display", "next_due_display", "body")}),
        (_("审查"), {"fields": ("submitted_on", "filed_on", "reviewed_at", "review_reason", "merged_into_link",
                              "closed_on")}),
        (_("重点提案"), {"fields": ("is_key", "supervising_leader")}),
    )
    readonly_fields = ("status_display", "next_due_display", "merged_into_link")

    def get_queryset(self, request):
        return (
            visible_proposals(request.user).select_related("session__committee")
            .annotate(lead_proposer_name=_lead_proposer_name(), lead_agency_name=_lead_agency_name())
        )

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            # The buttons look at the signatures more than once; read them once.
            prefetch_related_objects([obj], "signatures")
        return obj

    def urge_targets(self, queryset):
        """催办所选 on proposals: each open assignment of the selected proposals."""
        return open_assignments_of(queryset)

    def has_add_permission(self, request):
        user = request.user
        return user.has_perm("proposals.add_proposal") and (is_committee_staff(user) or bool(proposer_id(user)))

    # --- columns ---------------------------------------------------------------------------

    @admin.display(description=_("提案号"), ordering="number_sort")
    def number_display(self, obj):
        return obj.number

    @admin.display(description=_("会议"), ordering="session")
    def session_display(self, obj):
        return format_html('{}<div class="tracker-explain">{}</div>', obj.session.committee.name, obj.session.label)

    @admin.display(description=_("第一提案人"), ordering="lead_proposer_name")
    def lead_proposer(self, obj):
        return getattr(obj, "lead_proposer_name", None) or "—"

    @admin.display(description=_("主办单位"), ordering="lead_agency_name")
    def lead_agency(self, obj):
        return getattr(obj, "lead_agency_name", None) or "—"

    @admin.display(description=_("状态"), ordering="status")
    def status_display(self, obj):
        return status_badge(obj)

    @admin.display(description=_("最近期限"), ordering="next_due_on")
    def next_due_display(self, obj):
        return due_badge(obj.next_due_on, is_open=obj.status == Proposal.Status.ASSIGNED)

    @admin.display(description=_("并入提案"))
    def merged_into_link(self, obj):
        if not obj.merged_into_id:
            return "—"
        url = reverse("admin:proposals_proposal_change", args=[obj.merged_into_id])
        return format_html('<a href="{}">{}</a>', url, obj.merged_into)

    # --- pages -----------------------------------------------------------------------------

    def get_list_filter(self, request):
        return (*self.list_filter, *registry.proposal_list_filters)

    def change_view_context(self, request, obj) -> dict:
        return {**super().change_view_context(request, obj), **proposal_sections(
            request, obj, assignment_admin=self.admin_site._registry.get(Assignment)),
            "invitations": invitations_section(request.user, obj)}

    def step_url(self, obj, step) -> str:
        """An answer to a co-signing invitation leads back to the list: declining takes the draft
        out of the member's sight, so its page would no longer open."""
        url = super().step_url(obj, step)
        if (step if isinstance(step, str) else step.name) in ("accept_invitation", "decline_invitation"):
            url += "?" + urlencode({"next": reverse("admin:proposals_proposal_changelist")})
        return url

    def add_view(self, request, form_url="", extra_context=None):
        """Drafting goes through services.proposal_create, never through a model form."""
        if not self.has_add_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        kwargs = {"user": request.user, "obj": None}
        status = 200
        if request.method == "POST":
            form = forms.ProposalCreateForm(request.POST, **kwargs)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    proposal = services.proposal_create(
                        actor=request.user, session=data["session"], title=data["title"],
                        proposers=data["proposers"], invite=data["invite"], body=data["body"], topic=data["topic"],
                        number=data["number"], proposers_more=data["proposers_more"])
                except ServiceError as exc:
                    apply_service_error(request, form, exc)
                    status = exc.status_code
                else:
                    messages.success(request, _("提案草稿已创建:%(p)s") % {"p": proposal})
                    return HttpResponseRedirect(reverse("admin:proposals_proposal_change", args=[proposal.pk]))
            else:
                status = 400
        else:
            form = forms.ProposalCreateForm(**kwargs)
        return render_step_form(request, self, form=form, title=_("起草提案"), status=status,
                                back_url=reverse("admin:proposals_proposal_changelist"))
