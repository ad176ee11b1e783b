from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def followed_q(proposer_id: int, field: str = "pk") -> models.Q:
    """``field`` (a proposal, or a path to one) is one the proposer follows as their own: one
    they sign or one their own was merged into (并案: each proposer still gets an answer,
    domain.md Review). Written as two small id sets found from the proposer's signatures, so
    that testing one row reads the proposer's few signatures, never the proposals table."""
    signed = ProposalProposer.objects.filter(proposer_id=proposer_id)
    return (models.Q(**{f"{field}__in": signed.values("proposal_id")})
            | models.Q(**{f"{field}__in": signed.filter(proposal__merged_into__isnull=False)
                          .values("proposal__merged_into_id")}))


class ProposalQuerySet(models.QuerySet):
    def followed_by(self, proposer_id: int):
        """The proposals a proposer follows as their own (``followed_q``)."""
        return self.filter(followed_q(proposer_id))


class ProposalManager(models.Manager.from_queryset(ProposalQuerySet)):
    def get_by_natural_key(self, committee_name, term, session_number, number):
        return self.get(
            session__committee__name=committee_name, session__term=term, session__number=session_number, number=number
        )


class Proposal(models.Model):
    """提案: one matter per proposal, numbered per session as printed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        WITHDRAWN = "withdrawn", _("已撤案")
        FILED = "filed", _("已立案")
        NOT_FILED = "not_filed", _("不予立案")
        CONVERTED = "converted", _("转意见建议")
        MERGED = "merged", _("已并案")
        ASSIGNED = "assigned", _("办理中")
        REPLIED = "replied", _("已答复")
        CLOSED = "closed", _("已办结")

    STATUS_COLORS = {
        Status.DRAFT: "#9e9e9e",
        Status.SUBMITTED: "#1976d2",
        Status.WITHDRAWN: "#616161",
        Status.FILED: "#00838f",
        Status.NOT_FILED: "#6d4c41",
        Status.CONVERTED: "#6d4c41",
        Status.MERGED: "#795548",
        Status.ASSIGNED: "#ef6c00",
        Status.REPLIED: "#7b1fa2",
        Status.CLOSED: "#2e7d32",
    }

    session = models.ForeignKey(
        "proposals.Session", on_delete=models.PROTECT, related_name="proposals", verbose_name=_("会议")
    )
    number = models.CharField(_("提案号"), max_length=32, help_text=_("按原文填写,如 55、0325、2025D048"))
    number_sort = models.CharField(_("排序键"), max_length=96, editable=False, db_index=True)
    title = models.CharField(_("案由"), max_length=300)
    body = models.TextField(_("提案内容"), blank=True)
    topic = models.CharField(_("类别"), max_length=50, blank=True, db_index=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    review_reason = models.TextField(_("审查意见"), blank=True)
    reviewed_at = models.DateTimeField(_("审查时间"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_proposals",
        verbose_name=_("并入提案"),
    )
    proposers = models.ManyToManyField(
        "proposals.Proposer", through="proposals.ProposalProposer", related_name="proposals", verbose_name=_("提案人")
    )
    proposers_more = models.BooleanField(
        _("另有联名人"), default=False, help_text=_("来函写“等委员”,联名人多于所列")
    )
    is_key = models.BooleanField(_("重点提案"), default=False)
    # Set by the reply services (replies.services) when a reply to this proposal is published
    # with public disclosure: what makes a proposal visible to everyone (proposals.visibility).
    answered_publicly = models.BooleanField(_("已公开答复"), default=False, editable=False)
    supervising_leader = models.CharField(_("督办领导"), max_length=100, blank=True)
    submitted_on = models.DateField(_("提交日期"), null=True, blank=True)
    filed_on = models.DateField(_("立案日期"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    # Kept by the services from the open assignments, so lists can sort and filter on it.
    next_due_on = models.DateField(_("最近期限"), null=True, blank=True)
    # Number, title, body, proposer and agency names, Simplified and lower-cased
    # (proposals.search): what the q search reads, kept by the services.
    search_text = models.TextField(_("检索文本"), blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("最后变更"), auto_now=True)
    # Bumped by every recorded step (proposals.services.base.record_event): the ETag the API
    # checks If-Match against (proposals.api.base).
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    objects = ProposalManager()

    class Meta:
        verbose_name = _("提案")
        verbose_name_plural = pgettext_lazy("plural", "提案")
        ordering = ["session", "number_sort"]
        permissions = [("manage_workflow", _("作为提案委员会工作人员管理全部提案"))]
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="proposal_number_unique_per_session"),
            models.CheckConstraint(
                condition=~models.Q(status="merged") | models.Q(merged_into__isnull=False),
                name="proposal_merged_has_target",
            ),
        ]
        indexes = [
            models.Index(fields=["session", "number_sort"], name="proposal_session_number_idx"),
            # The API's default order (latest session first, then the number): a page is read off the index.
            models.Index(fields=["-session", "number_sort", "id"], name="proposal_default_order_idx"),
            models.Index(fields=["status", "next_due_on"], name="proposal_status_due_idx"),
            models.Index(fields=["next_due_on"], name="proposal_due_idx"),
            models.Index(fields=["submitted_on"], name="proposal_submitted_idx"),
            models.Index(fields=["updated_at"], name="proposal_updated_idx"),
            models.Index(fields=["is_key", "status"], name="proposal_key_status_idx"),
            models.Index(fields=["answered_publicly"], name="proposal_public_idx",
                         condition=models.Q(answered_publicly=True)),
        ]

    def __str__(self):
        return f"第{self.number}号 {self.title}"

    def natural_key(self):
        return self.session.natural_key() + (self.number,)

    natural_key.dependencies = ["proposals.session"]

    @property
    def status_color(self):
        return self.STATUS_COLORS.get(self.status, "#9e9e9e")


class ProposalProposerManager(models.Manager):
    def get_by_natural_key(self, committee_name, term, session_number, number, proposer_name):
        return self.get(
            proposal=Proposal.objects.get_by_natural_key(committee_name, term, session_number, number),
            proposer__name=proposer_name,
        )


class ProposalProposer(models.Model):
    """A proposer of a proposal, in signing order: position 0 is the lead proposer (第一提案人)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="signatures", verbose_name=_("提案"))
    proposer = models.ForeignKey(
        "proposals.Proposer", on_delete=models.PROTECT, related_name="signatures", verbose_name=_("提案人")
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    objects = ProposalProposerManager()

    class Meta:
        verbose_name = _("提案人(联名)")
        verbose_name_plural = pgettext_lazy("plural", "提案人(联名)")
        ordering = ["proposal", "position"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "proposer"], name="proposal_proposer_unique"),
            models.UniqueConstraint(fields=["proposal", "position"], name="proposal_proposer_position_unique"),
        ]

    def __str__(self):
        return f"{self.proposal} / {self.proposer}"

    @property
    def is_lead(self):
        return self.position == 0

    def natural_key(self):
        return self.proposal.natural_key() + (self.proposer.name,)

    natural_key.dependencies = ["proposals.proposal", "proposals.proposer"]


class SupervisionLog(models.Model):
    """督办: a supervision entry of a key proposal."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="supervision_logs", verbose_name=_("提案")
    )
    date = models.DateField(_("日期"))
    leader = models.CharField(_("督办领导"), max_length=100, blank=True)
    note = models.TextField(_("督办情况"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("记录人")
    )

    class Meta:
        verbose_name = _("督办记录")
        verbose_name_plural = pgettext_lazy("plural", "督办记录")
        ordering = ["proposal", "date", "id"]

    def __str__(self):
        return f"{self.proposal} {self.date}"


class CoSignInvitation(models.Model):
    """联名邀请: the drafter invites a member to co-sign; only an accepted invitation makes a
    proposer (a ProposalProposer). Answered within Session.rule("cosign_working_days")."""

    class Status(models.TextChoices):
        INVITED = "invited", _("待确认")
        ACCEPTED = "accepted", _("已同意")
        DECLINED = "declined", _("已拒绝")
        EXPIRED = "expired", _("逾期未确认")

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("提案")
    )
    proposer = models.ForeignKey(
        "proposals.Proposer", on_delete=models.PROTECT, related_name="invitations", verbose_name=_("受邀提案人")
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.INVITED)
    invited_on = models.DateField(_("邀请日期"))
    due_on = models.DateField(_("确认截止日期"))
    responded_on = models.DateField(_("答复日期"), null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("邀请人"),
    )

    class Meta:
        verbose_name = _("联名邀请")
        verbose_name_plural = pgettext_lazy("plural", "联名邀请")
        ordering = ["proposal", "invited_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "proposer"], name="invitation_once_per_proposer"),
        ]

    def __str__(self):
        return f"{self.proposal} · {self.proposer}"
