from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


# The longest lead time a reminder may have: about three months of working days.
MAX_REMIND_WORKING_DAYS = 60


def validate_working_days_list(value):
    """A reminder rule: a list of distinct whole numbers of working days before a deadline,
    1 to MAX_REMIND_WORKING_DAYS ([] turns the reminders off)."""
    if value is None:
        return
    if not isinstance(value, list) or not all(type(n) is int and 1 <= n <= MAX_REMIND_WORKING_DAYS for n in value):
        raise ValidationError(_("应为工作日数的列表,每项为 1 至 %(max)s 的整数,如 [10, 3]"),
                              code="invalid", params={"max": MAX_REMIND_WORKING_DAYS})
    if len(set(value)) != len(value):
        raise ValidationError(_("工作日数不能重复"), code="duplicate")


class WorkingDaysFormField(forms.JSONField):
    """An empty box for "inherit" (None), not the word null."""

    def prepare_value(self, value):
        return "" if value is None else super().prepare_value(value)


class WorkingDaysListField(models.JSONField):
    """Working days before a deadline on which to remind ([10, 3]); None inherits."""

    default_validators = [validate_working_days_list]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": WorkingDaysFormField, "widget": forms.TextInput, **kwargs})


class DeadlineRulesMixin(models.Model):
    """Deadline rules that a committee sets as defaults and a session may override.

    A blank value means "inherit": session -> committee -> settings.TRACKER_DEFAULT_RULES.
    """

    reply_months = models.PositiveSmallIntegerField(_("答复期限(月)"), null=True, blank=True)
    reply_max_months = models.PositiveSmallIntegerField(_("延期后最长期限(月)"), null=True, blank=True)
    co_opinion_months = models.PositiveSmallIntegerField(_("会办意见期限(月)"), null=True, blank=True)
    objection_working_days = models.PositiveSmallIntegerField(_("交办异议期限(工作日)"), null=True, blank=True)
    feedback_working_days = models.PositiveSmallIntegerField(_("征询意见期限(工作日)"), null=True, blank=True)
    rehandle_months = models.PositiveSmallIntegerField(_("重新办理期限(月)"), null=True, blank=True)
    rehandle_max_months = models.PositiveSmallIntegerField(
        _("重新办理延期后最长期限(月)"), null=True, blank=True, help_text=_("自不满意评价之日起计算"))
    cosign_working_days = models.PositiveSmallIntegerField(_("联名确认期限(工作日)"), null=True, blank=True)
    rest_day_shift = models.BooleanField(
        _("期限届满日为休息日的顺延"), null=True, blank=True,
        help_text=_("期限最后一日是周末或法定节假日的,顺延至下一个工作日(民法典第二百零三条)"))
    opinion_blocks_reply = models.BooleanField(
        _("缺会办意见不得答复"), null=True, blank=True,
        help_text=_("是:会办意见未到齐时主办单位不能提交答复;否:仅提示"))
    # Reminders and escalation (notifications.reminders): when the agencies and proposers are told.
    remind_reply_working_days = WorkingDaysListField(
        _("答复期限提醒(到期前工作日)"), help_text=_("到期前第几个工作日提醒,如 [10, 3];[] 表示只在到期当天提醒"))
    remind_opinion_working_days = WorkingDaysListField(
        _("会办意见期限提醒(到期前工作日)"), help_text=_("到期前第几个工作日提醒,如 [10, 3];[] 表示只在到期当天提醒"))
    remind_objection_working_days = WorkingDaysListField(
        _("交办异议期限提醒(到期前工作日)"), help_text=_("到期前第几个工作日提醒,如 [10, 3];[] 表示只在到期当天提醒"))
    remind_feedback_working_days = WorkingDaysListField(
        _("征询意见期限提醒(到期前工作日)"), help_text=_("到期前第几个工作日提醒,如 [10, 3];[] 表示只在到期当天提醒"))
    escalate_after_working_days = models.PositiveSmallIntegerField(
        _("逾期督促(逾期工作日)"), null=True, blank=True,
        help_text=_("逾期满该工作日数时告知承办单位、提案委员会工作人员和重点提案的督办领导;0 表示不督促"))

    RULE_FIELDS = (
        "reply_months",
        "reply_max_months",
        "co_opinion_months",
        "objection_working_days",
        "feedback_working_days",
        "rehandle_months",
        "rehandle_max_months",
        "cosign_working_days",
        "rest_day_shift",
        "opinion_blocks_reply",
        "remind_reply_working_days",
        "remind_opinion_working_days",
        "remind_objection_working_days",
        "remind_feedback_working_days",
        "escalate_after_working_days",
    )

    class Meta:
        abstract = True


class CommitteeManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class Committee(DeadlineRulesMixin):
    class Level(models.TextChoices):
        NATIONAL = "national", _("全国")
        PROVINCIAL = "provincial", _("省级")
        CITY = "city", _("市级")
        COUNTY = "county", _("县级")

    name = models.CharField(_("名称"), max_length=100, unique=True, help_text=_("如:曲靖市政协"))
    level = models.CharField(_("级别"), max_length=16, choices=Level.choices, default=Level.CITY)
    region = models.CharField(_("地区"), max_length=100, blank=True, help_text=_("如:曲靖市"))

    objects = CommitteeManager()

    class Meta:
        verbose_name = _("政协")
        verbose_name_plural = pgettext_lazy("plural", "政协")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class SessionManager(models.Manager):
    def get_by_natural_key(self, committee_name, term, number):
        return self.get(committee__name=committee_name, term=term, number=number)


class Session(DeadlineRulesMixin):
    """届 / 次会议: proposals are numbered per session."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("政协"))
    term = models.PositiveSmallIntegerField(_("届"))
    number = models.PositiveSmallIntegerField(_("次会议"))
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    opened_on = models.DateField(_("开幕日期"), null=True, blank=True)
    closed_on = models.DateField(_("闭幕日期"), null=True, blank=True)
    reply_fixed_date = models.DateField(
        _("统一办复日期"), null=True, blank=True,
        help_text=_("设定后,本次会议全部提案的答复期限为此日期(如6月30日前办复),取代按月计算的期限。"),
    )

    objects = SessionManager()

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = pgettext_lazy("plural", "会议")
        ordering = ["committee__name", "-term", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "term", "number"], name="session_unique_per_committee"),
        ]

    def __str__(self):
        return f"{self.committee.name}{self.label}"

    @property
    def label(self):
        from proposals.numerals import to_chinese_numeral

        return f"{to_chinese_numeral(self.term)}届{to_chinese_numeral(self.number)}次会议"

    def natural_key(self):
        return (self.committee.name, self.term, self.number)

    natural_key.dependencies = ["proposals.committee"]

    def rule(self, name):
        """The effective value of a deadline rule: session, else committee, else the default."""
        for source in (self, self.committee):
            value = getattr(source, name)
            if value is not None:
                return value
        return settings.TRACKER_DEFAULT_RULES[name]
