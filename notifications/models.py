"""Notifications: the outbox and in-app inbox (Notification), what each user wants
(NotificationPreference), the committees' own wording (MessageTemplate) and where a supervising
leader, who is a name on a proposal, is reached (LeaderContact).

One Notification row is one message on one channel to one addressee. The listener
(notifications.events) and notifications.services.notify write them in the transaction of the
step that causes them; ``manage.py send_notifications`` (notifications.delivery) sends the e-mail
rows that are due. An inbox row is delivered by being written.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Notification(models.Model):
    class Channel(models.TextChoices):
        # A new channel (SMS) is one more value here and one class in notifications.channels.
        EMAIL = "email", _("电子邮件")
        INBOX = "inbox", _("站内消息")

    class Kind(models.TextChoices):
        # To an agency's liaisons
        ASSIGNMENT_NEW = "assignment_new", _("新交办")
        OBJECTION_DECIDED = "objection_decided", _("交办异议处理结果")
        EXTENSION_DECIDED = "extension_decided", _("延期申请处理结果")
        REPLY_RETURNED = "reply_returned", _("答复退回修改")
        REHANDLE = "rehandle", _("不满意,重新办理")
        CO_OPINION_ARRIVED = "co_opinion_arrived", _("收到会办意见")
        URGE = "urge", _("催办")
        # To the proposal committee's staff
        SUBMITTED = "submitted", _("新提交的提案")
        OBJECTION_FILED = "objection_filed", _("待处理的交办异议")
        EXTENSION_REQUESTED = "extension_requested", _("待审批的延期申请")
        REPLY_SUBMITTED = "reply_submitted", _("答复已提交")
        DISSATISFIED = "dissatisfied", _("提案人不满意")
        # To each proposer
        COSIGN_INVITED = "cosign_invited", _("联名邀请")
        PROPOSAL_FILED = "proposal_filed", _("提案已立案")
        PROPOSAL_REJECTED = "proposal_rejected", _("提案不予立案")
        PROPOSAL_CONVERTED = "proposal_converted", _("提案转为意见建议")
        PROPOSAL_MERGED = "proposal_merged", _("提案已并案")
        REPLY_PUBLISHED = "reply_published", _("收到答复")
        REHANDLE_STARTED = "rehandle_started", _("提案重新办理")
        # To the supervising leader of a key proposal
        KEY_PROGRESS = "key_progress", _("重点提案进展")
        # Written by the reminder and escalation runs from the stored deadlines
        REMINDER_BEFORE = "reminder_before", _("即将到期提醒")
        REMINDER_DUE = "reminder_due", _("今日到期提醒")
        ESCALATION = "escalation", _("逾期督促")
        OVERDUE_DIGEST = "overdue_digest", _("逾期汇总")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")  # also while it is retried after a failure (attempts, last_error)
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")  # gave up: NOTIFICATION_MAX_ATTEMPTS or a permanent refusal
        UNDELIVERABLE = "undeliverable", _("无法送达")  # nobody to send it to: no account, no address
        SKIPPED = "skipped", _("未发送")  # the account was deactivated before it went out

    STATUS_COLORS = {
        Status.PENDING: "#1976d2",
        Status.SENT: "#2e7d32",
        Status.FAILED: "#c62828",
        Status.UNDELIVERABLE: "#c62828",
        Status.SKIPPED: "#616161",
    }
    # What staff must look at: nobody could be reached, or delivery gave up.
    ATTENTION_STATUSES = (Status.UNDELIVERABLE, Status.FAILED)

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications",
        verbose_name=_("收件人"), help_text=_("为空:只有电子邮箱地址,或无人可送达"))
    addressee = models.CharField(_("致"), max_length=200, blank=True,
                                 help_text=_("通知的对象,如某承办单位联络员、提案委员会、某提案人"))
    address = models.EmailField(_("电子邮箱"), blank=True)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices)
    language = models.CharField(_("语言"), max_length=10, default="zh-hans")
    committee = models.ForeignKey("proposals.Committee", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("政协"))
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="notifications", verbose_name=_("提案"))
    assignment = models.ForeignKey("proposals.Assignment", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="notifications", verbose_name=_("交办"))
    agency = models.ForeignKey("proposals.Agency", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("承办单位"))
    event = models.ForeignKey("proposals.Event", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="notifications", verbose_name=_("事件"))
    subject = models.CharField(_("标题"), max_length=300)
    body = models.TextField(_("正文"))
    link = models.CharField(_("链接"), max_length=300, blank=True, help_text=_("相关页面的路径"))
    # Who writes a notice that must exist once (a reminder for one deadline on one day) names it
    # here; a second run writing the same key writes nothing (notifications.services.notify).
    dedupe_key = models.CharField(_("去重键"), max_length=255, unique=True, null=True, blank=True)
    digest = models.BooleanField(_("汇总发送"), default=False, help_text=_("收件人选择每日汇总,随当日汇总邮件发送"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次发送时间"), null=True, blank=True)
    # Set by the runner that claimed the row (with next_attempt_at as its lease): only that runner
    # may send it and record the outcome (notifications.delivery).
    claim_token = models.CharField(_("发送批次"), max_length=32, blank=True, editable=False)
    last_error = models.TextField(_("最近错误"), blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    channel_answer = models.TextField(_("渠道应答"), blank=True, help_text=_("邮件服务器的应答或错误"))
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = pgettext_lazy("plural", "通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            # What the delivery run asks: pending rows whose time has come.
            models.Index(fields=["status", "next_attempt_at"], name="notification_delivery_idx"),
            # A user's inbox, unread first.
            models.Index(fields=["recipient", "channel", "read_at"], name="notification_inbox_idx"),
            models.Index(fields=["kind", "created_at"], name="notification_kind_idx"),
        ]

    def __str__(self):
        return self.subject

    @property
    def status_color(self):
        return self.STATUS_COLORS.get(self.status, "#9e9e9e")

    @property
    def needs_attention(self) -> bool:
        return self.status in self.ATTENTION_STATUSES


class NotificationPreference(models.Model):
    """What one user wants. A user without a row gets the defaults: Chinese, every kind by
    e-mail, single mails, no quiet hours."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference", verbose_name=_("用户"))
    language = models.CharField(_("语言"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    # None: every kind, those added later included; a list: those kinds only.
    email_kinds = models.JSONField(_("以电子邮件接收的通知"), null=True, blank=True, default=None,
                                   help_text=_("为空表示全部类型;站内消息总是保留"))
    daily_digest = models.BooleanField(_("每日汇总"), default=False, help_text=_("每天一封汇总邮件,代替逐条邮件"))
    quiet_start = models.TimeField(_("免打扰开始"), null=True, blank=True)
    quiet_end = models.TimeField(_("免打扰结束"), null=True, blank=True,
                                 help_text=_("免打扰时段和非工作日不发邮件,留到下一个工作日免打扰结束时发送"))

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = pgettext_lazy("plural", "通知设置")

    def __str__(self):
        return str(self.user)

    def wants_email(self, kind: str) -> bool:
        return self.email_kinds is None or kind in self.email_kinds

    @property
    def has_quiet_hours(self) -> bool:
        return self.quiet_start is not None and self.quiet_end is not None and self.quiet_start != self.quiet_end


class MessageTemplate(models.Model):
    """A committee's own wording of one kind of message (a Django template, plain text). The
    shipped text (notifications.templates) applies where no row does; deleting the row goes back
    to it. Looked up: this committee and language, this committee any language, every committee
    and this language, every committee any language."""

    committee = models.ForeignKey("proposals.Committee", on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="+", verbose_name=_("政协"), help_text=_("为空:适用于所有政协"))
    kind = models.CharField(_("通知类型"), max_length=30, choices=Notification.Kind.choices)
    language = models.CharField(_("语言"), max_length=10, choices=settings.LANGUAGES, blank=True,
                                help_text=_("为空:适用于所有语言"))
    subject = models.CharField(_("标题模板"), max_length=300)
    body = models.TextField(_("正文模板"))
    updated_at = models.DateTimeField(_("最后变更"), auto_now=True)

    class Meta:
        verbose_name = _("通知模板")
        verbose_name_plural = pgettext_lazy("plural", "通知模板")
        ordering = ["committee__name", "kind", "language"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "kind", "language"],
                                    condition=models.Q(committee__isnull=False),
                                    name="message_template_unique_per_committee"),
            models.UniqueConstraint(fields=["kind", "language"], condition=models.Q(committee__isnull=True),
                                    name="message_template_unique_default"),
        ]

    def __str__(self):
        committee = self.committee or _("所有政协")
        return f"{committee} · {self.get_kind_display()}"


class LeaderContact(models.Model):
    """How a supervising leader (Proposal.supervising_leader, a name) is reached: an account, an
    e-mail address, or both. A leader without one gets notices recorded as undeliverable."""

    committee = models.ForeignKey("proposals.Committee", on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("政协"))
    name = models.CharField(_("督办领导"), max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("登录账号"))
    email = models.EmailField(_("电子邮箱"), blank=True)

    class Meta:
        verbose_name = _("督办领导联系方式")
        verbose_name_plural = pgettext_lazy("plural", "督办领导联系方式")
        ordering = ["committee__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "name"], name="leader_contact_unique_per_committee"),
        ]

    def __str__(self):
        return self.name
