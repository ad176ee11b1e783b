from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AssignmentQuerySet(models.QuerySet):
    def current(self):
        """Assignments that still stand: not 已改办 (objection upheld) nor 已撤销 (cancelled)."""
        return self.exclude(status__in=Assignment.GONE_STATUSES)

    def answering(self):
        """The assignments that owe the proposer an answer (主办 and 分办, still standing): the
        ones whose replies make a proposal replied, and what the figures count."""
        return self.current().filter(role__in=Assignment.ANSWERING_ROLES)


class AssignmentManager(models.Manager.from_queryset(AssignmentQuerySet)):
    def get_by_natural_key(self, committee_name, term, session_number, number, agency_name):
        return self.get(
            proposal__session__committee__name=committee_name,
            proposal__session__term=term,
            proposal__session__number=session_number,
            proposal__number=number,
            agency__name=agency_name,
        )


class Assignment(models.Model):
    """交办: a proposal given to one agency in one role."""

    class Role(models.TextChoices):
        LEAD = "lead", _("主办")
        CO = "co", _("会办")
        SEPARATE = "separate", _("分办")

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("待签收")
        ACKNOWLEDGED = "acknowledged", _("办理中")
        OBJECTED = "objected", _("申请调整")
        REASSIGNED = "reassigned", _("已改办")
        REPLIED = "replied", _("已答复")
        REHANDLING = "rehandling", _("重新办理")
        CLOSED = "closed", _("已办结")
        CANCELLED = "cancelled", _("已撤销")

    STATUS_COLORS = {
        Status.ASSIGNED: "#1976d2",
        Status.ACKNOWLEDGED: "#ef6c00",
        Status.OBJECTED: "#c62828",
        Status.REASSIGNED: "#616161",
        Status.REPLIED: "#7b1fa2",
        Status.REHANDLING: "#d84315",
        Status.CLOSED: "#2e7d32",
        Status.CANCELLED: "#616161",
    }
    OPEN_STATUSES = (Status.ASSIGNED, Status.ACKNOWLEDGED, Status.OBJECTED, Status.REHANDLING)
    # The agency was relieved (objection upheld) or the assignment withdrawn: it no longer stands.
    GONE_STATUSES = (Status.REASSIGNED, Status.CANCELLED)
    ANSWERING_ROLES = (Role.LEAD, Role.SEPARATE)

    class ObjectionDecision(models.TextChoices):
        UPHELD = "upheld", _("同意调整")
        REJECTED = "rejected", _("维持交办")

    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.CASCADE, related_name="assignments", verbose_name=_("提案")
    )
    agency = models.ForeignKey(
        "proposals.Agency", on_delete=models.PROTECT, related_name="assignments", verbose_name=_("承办单位")
    )
    role = models.CharField(_("办理方式"), max_length=10, choices=Role.choices, db_index=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.ASSIGNED)
    assigned_on = models.DateField(_("交办日期"))
    acknowledged_on = models.DateField(_("签收日期"), null=True, blank=True)
    objection_due_on = models.DateField(_("异议截止日期"), null=True, blank=True)
    objection_reason = models.TextField(_("异议理由"), blank=True)
    objected_on = models.DateField(_("提出异议日期"), null=True, blank=True)
    objection_decision = models.CharField(
        _("异议处理"), max_length=10, choices=ObjectionDecision.choices, blank=True
    )
    objection_decision_note = models.TextField(_("异议处理意见"), blank=True)
    original_due_on = models.DateField(_("原定期限"), null=True, blank=True)
    due_on = models.DateField(_("办理期限"), null=True, blank=True, db_index=True)
    due_explanation = models.JSONField(_("期限计算说明"), default=dict, blank=True)
    extension_reason = models.TextField(_("延期理由"), blank=True)
    extension_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="approved_extensions", verbose_name=_("延期批准人"),
    )
    replied_on = models.DateField(_("答复日期"), null=True, blank=True)
    # Set when something a stored deadline rests on changed (holidays, the session's rules):
    # staff check the dates, which the change did not move by itself.
    deadline_review = models.TextField(_("期限待复核"), blank=True)
    rehandle_count = models.PositiveSmallIntegerField(_("重新办理次数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("最后变更"), auto_now=True)
    # Bumped by every recorded step (proposals.services.base.record_event): the ETag the API
    # checks If-Match against (proposals.api.base).
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    objects = AssignmentManager()

    class Meta:
        verbose_name = _("交办")
        verbose_name_plural = pgettext_lazy("plural", "交办")
        ordering = ["proposal", "role", "id"]
        constraints = [
            # An agency stands once on a proposal; relieved earlier, it may be given it again.
            models.UniqueConstraint(fields=["proposal", "agency"], condition=~models.Q(
                status__in=["reassigned", "cancelled"]), name="assignment_unique_current_agency"),
            models.UniqueConstraint(
                fields=["proposal"],
                condition=models.Q(role="lead") & ~models.Q(status__in=["reassigned", "cancelled"]),
                name="assignment_one_active_lead",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status"], name="assignment_agency_status_idx"),
            # The agency filter of the proposal list: EXISTS (agency, proposal, not reassigned) from the index alone.
            models.Index(fields=["agency", "proposal", "status"], name="assignment_agency_proposal_idx"),
            models.Index(fields=["status", "due_on"], name="assignment_status_due_idx"),
        ]

    def __str__(self):
        return f"{self.proposal} → {self.agency}({self.get_role_display()})"

    def natural_key(self):
        return self.proposal.natural_key() + (self.agency.name,)

    natural_key.dependencies = ["proposals.proposal", "proposals.agency"]

    @property
    def status_color(self):
        return self.STATUS_COLORS.get(self.status, "#9e9e9e")

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    @property
    def is_current(self):
        """The same rule as AssignmentQuerySet.current, for one row in hand."""
        return self.status not in self.GONE_STATUSES

    @property
    def is_answering(self):
        """The same rule as AssignmentQuerySet.answering, for one row in hand."""
        return self.is_current and self.role in self.ANSWERING_ROLES


class ContactLog(models.Model):
    """办前/办中/办后沟通: the agency's contact with the proposer ("三见面")."""

    class Stage(models.TextChoices):
        BEFORE = "before", _("办前沟通")
        DURING = "during", _("办中沟通")
        AFTER = "after", _("办后沟通")

    class Form(models.TextChoices):
        VISIT = "visit", _("走访")
        PHONE = "phone", _("电话")
        MEETING = "meeting", _("座谈")
        NOTE = "note", _("书面")
        OTHER = "other", _("其他")

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("交办")
    )
    stage = models.CharField(_("阶段"), max_length=10, choices=Stage.choices)
    form = models.CharField(_("方式"), max_length=10, choices=Form.choices)
    date = models.DateField(_("日期"))
    note = models.TextField(_("情况"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("记录人")
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("沟通记录")
        verbose_name_plural = pgettext_lazy("plural", "沟通记录")
        ordering = ["assignment", "date", "id"]

    def __str__(self):
        return f"{self.get_stage_display()} {self.date}"


class ExtensionRequest(models.Model):
    """延期申请: an agency asks for more time (reason, wanted date); staff approve or refuse
    (domain.md, "Rules decided")."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("未批准")

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="extension_requests", verbose_name=_("交办")
    )
    wanted_due_on = models.DateField(_("申请延期至"))
    reason = models.TextField(_("申请理由"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("申请人"),
    )
    requested_on = models.DateField(_("申请日期"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("审批人"),
    )
    decided_on = models.DateField(_("审批日期"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = pgettext_lazy("plural", "延期申请")
        ordering = ["assignment", "requested_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment"], condition=models.Q(status="pending"),
                                    name="extension_request_one_pending"),
        ]

    def __str__(self):
        return f"{self.assignment} → {self.wanted_due_on}"
