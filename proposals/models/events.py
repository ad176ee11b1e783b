import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EventManager(models.Manager):
    def get_by_natural_key(self, uid):
        return self.get(uid=uid)


class Event(models.Model):
    """The audit trail: every transition and every change of a deadline. Rows are only ever added."""

    class Action(models.TextChoices):
        CREATE = "create", _("起草")
        EDIT = "edit", _("修改草稿")
        SUBMIT = "submit", _("提交")
        WITHDRAW = "withdraw", _("撤案")
        CANCEL = "cancel", _("撤销交办")
        FILE = "file", _("立案")
        REJECT = "reject", _("不予立案")
        CONVERT = "convert", _("转为意见建议")
        MERGE = "merge", _("并案")
        ASSIGN = "assign", _("交办单位")
        ASSIGNED = "assigned", _("交办")
        MARK_KEY = "mark_key", _("列为重点提案")
        UNMARK_KEY = "unmark_key", _("取消重点提案")
        SUPERVISE = "supervise", _("督办")
        ACKNOWLEDGE = "acknowledge", _("签收")
        OBJECT = "object", _("申请调整")
        DECIDE_OBJECTION = "decide_objection", _("处理交办异议")
        EXTEND = "extend", _("延期")
        CONTACT = "contact", _("沟通")
        REPLY_DRAFT = "reply_draft", _("起草答复")
        REPLY_UPDATE = "reply_update", _("修改答复草稿")
        REPLY_SUBMIT = "reply_submit", _("提交答复")
        REPLIED = "replied", _("全部答复")
        PUBLISH = "publish", _("公开答复")
        FEEDBACK = "feedback", _("征询意见")
        REHANDLE = "rehandle", _("重新办理")
        REOPEN = "reopen", _("重新进入办理")
        CLOSE = "close", _("办结")
        IMPORT = "import", _("导入")
        IMPORT_CORRECT = "import_correct", _("更正导入记录")
        IMPORT_REVIEW = "import_review", _("核对导入记录")
        INVITE = "invite", _("邀请联名")
        COSIGN_ACCEPT = "cosign_accept", _("同意联名")
        COSIGN_DECLINE = "cosign_decline", _("拒绝联名")
        COSIGN_EXPIRE = "cosign_expire", _("联名逾期未确认")
        EXTENSION_REQUEST = "extension_request", _("申请延期")
        EXTENSION_REFUSE = "extension_refuse", _("不同意延期")
        CHANGE_ROLE = "change_role", _("调整办理方式")
        ADD_CO = "add_co", _("增加会办单位")
        DROP_CO = "drop_co", _("撤销会办单位")
        CORRECT = "correct", _("更正")
        FEEDBACK_CLOSED = "feedback_closed", _("征询期结束")
        DEADLINE_REVIEW = "deadline_review", _("期限待复核")
        URGE = "urge", _("催办")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.CASCADE, related_name="events", verbose_name=_("提案")
    )
    assignment = models.ForeignKey(
        "proposals.Assignment", on_delete=models.SET_NULL, null=True, blank=True, related_name="events",
        verbose_name=_("交办"),
    )
    # The reply (replies.Reply) the event concerns, set by the reply services. A plain id, not
    # a foreign key: proposals does not depend on replies, and an audit row outlives its subject.
    reply_id = models.PositiveBigIntegerField(_("答复 ID"), null=True, blank=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("操作人")
    )
    at = models.DateTimeField(_("时间"), db_index=True)
    action = models.CharField(_("操作"), max_length=40, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=16, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, blank=True)
    note = models.TextField(_("说明"), blank=True)
    # Who may read the note (proposals.visibility.Audience): the services copy handler-only
    # text and ratings into it, and every channel renders it through the visibility policy.
    note_audience = models.CharField(_("说明可见范围"), max_length=10, blank=True, default="")
    data = models.JSONField(_("详情"), default=dict, blank=True)

    objects = EventManager()

    class Meta:
        verbose_name = _("事件")
        verbose_name_plural = pgettext_lazy("plural", "事件")
        ordering = ["proposal", "at", "id"]
        indexes = [
            models.Index(fields=["proposal", "at"], name="event_proposal_at_idx"),
            # The figures count one action's events (replies.stats: 催办) without reading the whole trail.
            models.Index(fields=["action", "assignment"], name="event_action_assignment_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def natural_key(self):
        return (str(self.uid),)


class CalendarDayManager(models.Manager):
    def get_by_natural_key(self, date):
        return self.get(date=date)


class CalendarDay(models.Model):
    """A day that breaks the Monday-to-Friday rule: a statutory holiday or a make-up working day (调休上班日).

    The mainland calendar changes every year, so it is data that staff maintain, not code.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("法定节假日")
        WORKDAY = "workday", _("调休上班日")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=50, blank=True)

    objects = CalendarDayManager()

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = pgettext_lazy("plural", "节假日安排")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}"

    def natural_key(self):
        return (self.date.isoformat(),)
