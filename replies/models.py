from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from proposals.models import Assignment, Proposal


def public_reply_q(prefix: str = "") -> models.Q:
    """Published to everyone: a 答复 published with 主动公开 disclosure (domain.md, Disclosure);
    ``prefix`` reaches the reply from another model ("replies__")."""
    return models.Q(**{f"{prefix}kind": Reply.Kind.REPLY, f"{prefix}status": Reply.Status.PUBLISHED,
                       f"{prefix}disclosure": Reply.Disclosure.PUBLIC})


class ReplyQuerySet(models.QuerySet):
    def public(self):
        return self.filter(public_reply_q())

    def sent(self):
        """Submitted or published: no longer the agency's draft."""
        return self.exclude(status=Reply.Status.DRAFT)

    def current_round(self):
        """The replies of their assignment's current round (round 2 after one re-handling)."""
        return self.filter(round=models.F("assignment__rehandle_count") + 1)


class ReplyManager(models.Manager.from_queryset(ReplyQuerySet)):
    def get_by_natural_key(self, committee_name, term, session_number, number, agency_name, kind, round):
        return self.get(
            assignment=Assignment.objects.get_by_natural_key(committee_name, term, session_number, number, agency_name),
            kind=kind,
            round=round,
        )


class Reply(models.Model):
    """答复 (by a lead or separately-assigned agency) or 会办意见 (by a co-handler, to the lead)."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("答复")
        OPINION = "opinion", _("会办意见")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        PUBLISHED = "published", _("已公开")

    STATUS_COLORS = {Status.DRAFT: "#9e9e9e", Status.SUBMITTED: "#1976d2", Status.PUBLISHED: "#2e7d32"}

    class Classification(models.TextChoices):
        A = "A", _("A类(已解决或采纳)")
        B = "B", _("B类(正在解决或列入计划)")
        C = "C", _("C类(留作参考)")
        D = "D", _("D类(因条件限制无法解决)")

    class Disclosure(models.TextChoices):
        PUBLIC = "public", _("主动公开")
        ON_REQUEST = "on_request", _("依申请公开")
        NOT_PUBLIC = "not_public", _("不予公开")

    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="replies", verbose_name=_("交办")
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.REPLY)
    round = models.PositiveSmallIntegerField(_("轮次"), default=1, help_text=_("重新办理后的答复为第2轮"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    doc_number = models.CharField(_("文号"), max_length=60, blank=True, db_index=True)
    index_number = models.CharField(_("索引号"), max_length=60, blank=True, help_text=_("政府信息公开索引号"))
    title = models.CharField(_("标题"), max_length=300, blank=True)
    body = models.TextField(_("正文"), blank=True)
    signer = models.CharField(_("签发人"), max_length=50, blank=True)
    signed_on = models.DateField(_("成文日期"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    delivered_on = models.DateField(_("送达日期"), null=True, blank=True)
    published_on = models.DateField(_("公开日期"), null=True, blank=True)
    feedback_due_on = models.DateField(_("征询意见截止日期"), null=True, blank=True)
    feedback_due_explanation = models.JSONField(_("征询期限说明"), default=dict, blank=True)
    contact_unit = models.CharField(_("联系单位"), max_length=100, blank=True)
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=50, blank=True)
    cc = models.JSONField(_("抄送"), default=list, blank=True)
    classification = models.CharField(
        _("办理结果分类"), max_length=1, choices=Classification.choices, blank=True, db_index=True
    )
    disclosure = models.CharField(
        _("公开属性"), max_length=12, choices=Disclosure.choices, default=Disclosure.PUBLIC
    )
    disclosure_reason = models.TextField(_("不予公开理由"), blank=True)
    internal_note = models.TextField(_("内部备注"), blank=True, help_text=_("仅工作人员可见"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("最后变更"), auto_now=True)
    # Bumped by every recorded step (proposals.services.base.record_event): the ETag the API
    # checks If-Match against (proposals.api.base).
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    objects = ReplyManager()

    class Meta:
        verbose_name = _("答复")
        verbose_name_plural = pgettext_lazy("plural", "答复")
        ordering = ["assignment", "round", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "kind", "round"], name="reply_unique_per_round"),
            models.CheckConstraint(
                condition=~models.Q(disclosure="not_public") | ~models.Q(disclosure_reason=""),
                name="reply_not_public_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "disclosure"], name="reply_status_disclosure_idx")]

    def __str__(self):
        return self.title or f"{self.assignment.agency} {self.get_kind_display()}"

    def natural_key(self):
        return self.assignment.natural_key() + (self.kind, self.round)

    natural_key.dependencies = ["proposals.assignment"]

    @property
    def status_color(self):
        return self.STATUS_COLORS.get(self.status, "#9e9e9e")

    @property
    def is_public(self):
        """The same rule as ReplyQuerySet.public, for one row in hand."""
        return (self.kind == self.Kind.REPLY and self.status == self.Status.PUBLISHED
                and self.disclosure == self.Disclosure.PUBLIC)


class Feedback(models.Model):
    """征询意见: one proposer's rating of one reply."""

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASICALLY = "basically", _("基本满意")
        DISSATISFIED = "dissatisfied", _("不满意")
        # Recorded for a proposer who did not rate by the end of the window (domain.md).
        NOT_RATED = "not_rated", _("未表态")

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("答复"))
    proposer = models.ForeignKey(
        "proposals.Proposer", on_delete=models.PROTECT, related_name="feedback", verbose_name=_("提案人")
    )
    rating = models.CharField(_("评价"), max_length=12, choices=Rating.choices, db_index=True)
    comments = models.TextField(_("意见"), blank=True)
    given_on = models.DateField(_("评价日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("记录人")
    )

    class Meta:
        verbose_name = _("满意度测评")
        verbose_name_plural = pgettext_lazy("plural", "满意度测评")
        ordering = ["reply", "given_on"]
        constraints = [
            models.UniqueConstraint(fields=["reply", "proposer"], name="feedback_one_per_proposer"),
        ]

    def __str__(self):
        return f"{self.proposer}: {self.get_rating_display()}"


class SourceDocumentManager(models.Manager):
    def get_by_natural_key(self, sha256):
        return self.get(sha256=sha256)


class SourceDocument(models.Model):
    """An imported file: its text, what the parser read from it and where (character spans).

    Each version of a letter is its own row (one checksum, one row); a corrected version
    points back to the row it replaced through ``superseded_by``. ``written_values`` holds
    what the importer last wrote into each field of the records, so that a later import can
    tell a field a person corrected (current value differs) from one it may update.
    """

    class Kind(models.TextChoices):
        REPLY = "reply", _("答复函")
        OTHER = "other", _("参考文件")

    file_name = models.CharField(_("文件名"), max_length=255, db_index=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    text = models.TextField(_("原文"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    reason = models.TextField(_("非答复原因"), blank=True)
    identity = models.CharField(
        _("提案标识"), max_length=300, blank=True, db_index=True,
        help_text=_("政协|届|次|提案号|主办单位:同一标识、不同校验和的文件视为更正版本"),
    )
    parsed = models.JSONField(_("解析结果"), default=dict, blank=True)
    spans = models.JSONField(_("字段位置"), default=dict, blank=True)
    warnings = models.JSONField(_("警告"), default=list, blank=True)
    needs_review = models.BooleanField(_("待核对"), default=False, db_index=True)
    written_values = models.JSONField(_("导入写入值"), default=dict, blank=True)
    corrected_fields = models.JSONField(
        _("人工更正字段"), default=list, blank=True, help_text=_("再次导入时因已被人工更正而保留的字段")
    )
    superseded_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="earlier_versions",
        verbose_name=_("更正版本"),
    )
    proposal = models.ForeignKey(
        Proposal, on_delete=models.SET_NULL, null=True, blank=True, related_name="sources", verbose_name=_("提案")
    )
    reply = models.ForeignKey(
        Reply, on_delete=models.SET_NULL, null=True, blank=True, related_name="sources", verbose_name=_("答复")
    )
    imported_at = models.DateTimeField(_("导入时间"))

    objects = SourceDocumentManager()

    class Meta:
        verbose_name = _("导入文件")
        verbose_name_plural = pgettext_lazy("plural", "导入文件")
        ordering = ["file_name"]

    def __str__(self):
        return self.file_name

    def natural_key(self):
        return (self.sha256,)


class ReferenceDocumentManager(models.Manager):
    def get_by_natural_key(self, sha256):
        return self.get(source__sha256=sha256)


class ReferenceDocument(models.Model):
    """A document in the corpus that is not a reply (work summary, policy document): kept for reference."""

    source = models.OneToOneField(
        SourceDocument, on_delete=models.CASCADE, related_name="reference", verbose_name=_("导入文件")
    )
    title = models.CharField(_("标题"), max_length=300, blank=True)
    issuing_body = models.CharField(_("发文机关"), max_length=200, blank=True)
    doc_number = models.CharField(_("文号"), max_length=60, blank=True)
    document_date = models.DateField(_("日期"), null=True, blank=True)
    body = models.TextField(_("正文"), blank=True)

    objects = ReferenceDocumentManager()

    class Meta:
        verbose_name = _("参考文件")
        verbose_name_plural = pgettext_lazy("plural", "参考文件")
        ordering = ["-document_date", "title"]

    def __str__(self):
        return self.title or self.source.file_name

    def natural_key(self):
        return (self.source.sha256,)

    natural_key.dependencies = ["replies.sourcedocument"]


class FigureFact(models.Model):
    """A kept count of the handling report (replies.kept_figures): ``n`` for one ``key`` of one
    session and agency (agency 0: the session's proposal counts). Plain ids, not foreign keys:
    the row is a sum, read and written by (session, agency, key) only."""

    session_id = models.IntegerField()
    agency_id = models.IntegerField()
    key = models.CharField(max_length=40)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session_id", "agency_id", "key"], name="figure_fact_key")]

    def __str__(self):
        return f"{self.session_id}/{self.agency_id}/{self.key}={self.n}"


class FigureContribution(models.Model):
    """What one proposal last added to the kept counts ("session|agency|key" -> n), so that a
    step adds the difference and nothing is counted twice."""

    proposal_id = models.IntegerField(primary_key=True)
    facts = models.JSONField(default=dict)

    def __str__(self):
        return f"{self.proposal_id}: {len(self.facts)}"
