"""The words of every message: the shipped text of each kind (translatable, Chinese first), a
committee's own wording where staff wrote one (MessageTemplate), and the rendering of either in
the recipient's language.

Texts are Django templates of plain text, rendered by an engine of their own: no loaders (no
{% include %} of the site's templates), no HTML escaping (a mail is text), and a context of
plain values only (strings, numbers, booleans, built by notifications.events), so that a
template a committee edits reaches nothing but what it is given. A template that does not
compile or render falls back to the shipped text: a slip in the admin never stops a step.
"""
from __future__ import annotations

import logging

from django.db.models import Q
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from notifications.models import MessageTemplate, Notification

logger = logging.getLogger(__name__)
K = Notification.Kind

ENGINE = Engine(loaders=[], autoescape=False, string_if_invalid="")

# Every message has {{ addressee }} (whom it greets), {{ proposal }} (committee, session, number
# and title) and {{ url }} (the page); the others are listed per kind in VARIABLES.
SHIPPED: dict[str, tuple] = {
    K.ASSIGNMENT_NEW: (
        _("【新交办】{{ proposal }}"),
        _("{{ addressee }}:\n"
          "{{ proposal }}已交由贵单位{{ role }}。\n"
          "请及时签收,并于 {{ due_on }} 前{{ task }}({{ due_explanation }})。\n"
          "如认为不属于本单位职责,请于 {{ objection_due_on }} 前提出调整申请({{ objection_explanation }}),"
          "逾期不再受理。\n"
          "办理页面:{{ url }}"),
    ),
    K.OBJECTION_DECIDED: (
        _("【交办异议处理结果】{{ proposal }}"),
        _("{{ addressee }}:\n"
          "贵单位对{{ proposal }}提出的调整申请,提案委员会的处理结果为:{{ decision }}。\n"
          "{% if reason %}处理意见:{{ reason }}\n{% endif %}"
          "{% if new_agency %}该提案改由{{ new_agency }}办理,贵单位无需继续办理。\n"
          "{% else %}请继续办理,期限为 {{ due_on }}({{ due_explanation }})。\n{% endif %}"
          "办理页面:{{ url }}"),
    ),
    K.EXTENSION_DECIDED: (
        _("【延期{% if granted %}已批准{% else %}未批准{% endif %}】{{ proposal }}"),
        _("{{ addressee }}:\n"
          "{% if granted %}贵单位承办的{{ proposal }}已获准延期,办理期限由 {{ old_due_on }} 延至 {{ due_on }}"
          "({{ due_explanation }})。请在新的期限前完成办理。\n"
          "{% else %}贵单位就{{ proposal }}提出的延期申请(延期至 {{ wanted_due_on }})未获批准"
          "{% if reason %},理由:{{ reason }}{% endif %}。办理期限仍为 {{ due_on }}({{ due_explanation }})。\n"
          "{% endif %}"
          "办理页面:{{ url }}"),
    ),
    K.REPLY_RETURNED: (
        _("【答复退回修改】{{ proposal }}"),
        _("{{ addressee }}:\n"
          "贵单位就{{ proposal }}提交的答复已退回修改{% if reason %},意见:{{ reason }}{% endif %}。\n"
          "请修改后重新提交,期限为 {{ due_on }}({{ due_explanation }})。\n"
          "办理页面:{{ url }}"),
    ),
    K.REHANDLE: (
        _("【重新办理】{{ proposal }}"),
        _("{{ addressee }}:\n"
          "提案人对贵单位就{{ proposal }}的答复表示不满意{% if comments %},意见:{{ comments }}{% endif %}。\n"
          "请重新办理并再次答复,期限为 {{ due_on }}({{ due_explanation }})。\n"
          "办理页面:{{ url }}"),
    ),
    K.CO_OPINION_ARRIVED: (
        _("【收到会办意见】{{ proposal }}"),
        _("{{ addressee }}:\n"
          "会办单位{{ co_agency }}已就{{ proposal }}提交会办意见{% if late %}(逾期提交){% endif %}。\n"
          "请在答复中统筹考虑,答复期限为 {{ due_on }}({{ due_explanation }})。\n"
          "查看会办意见:{{ url }}"),
    ),
    K.URGE: (
        _("【催办】{{ proposal }}"),
        _("{{ addressee }}:\n"
          "提案委员会就贵单位承办的{{ proposal }}催办:{{ message }}\n"
          "{% if due_on %}办理期限为 {{ due_on }}({{ due_explanation }}){% if days_overdue %},"
          "已逾期 {{ days_overdue }} 天{% endif %}。{% endif %}请抓紧办理。\n"
          "办理页面:{{ url }}"),
    ),
    K.SUBMITTED: (
        _("【新提交】{{ proposal }}"),
        _("{{ addressee }}:\n"
          "{{ proposal }}已提交(提案人:{{ proposers }})。\n"
          "请审查并决定立案、不予立案、转为意见建议或并案。\n"
          "办理页面:{{ url }}"),
    ),
    K.OBJECTION_FILED: (
        _("【交办异议待处理】{{ proposal }}"),
        _("{{ addressee }}:\n"
          "{{ agency }}对{{ proposal }}的交办提出调整申请,理由:{{ reason }}\n"
          "请及时处理:同意调整并改由其他单位办理,或维持交办。\n"
          "办理页面:{{ url }}"),
    ),
    K.EXTENSION_REQUESTED: (
        _("【延期申请待审批】{{ proposal }}"),
        _("{{ addressee }}:\n"
          "{{ agency }}申请将{{ proposal }}的办理期限由 {{ due_on }} 延至 {{ wanted_due_on }},理由:{{ reason }}\n"
          "请审批。\n"
          "办理页面:{{ url }}"),
    ),
    K.REPLY_SUBMITTED: (
        _("【答复已提交】{{ proposal }}"),
        _("{{ addressee }}:\n"
          "{{ agency }}已提交对{{ proposal }}的答复“{{ reply_title }}”(公开属性:{{ disclosure }})。\n"
          "{% if to_publish %}请审核后公开。{% else %}该答复不主动公开,无需公开。{% endif %}\n"
          "查看答复:{{ url }}"),
    ),
    K.DISSATISFIED: (
        _("【提案人不满意】{{ proposal }}"),
        _("{{ addressee }}:\n"
          "{{ rater }}对{{ agency }}就{{ proposal }}的答复表示不满意,意见:{{ comments }}\n"
          "提案已退回{{ agency }}重新办理,期限为 {{ due_on }}({{ due_explanation }})。\n"
          "办理页面:{{ url }}"),
    ),
    K.COSIGN_INVITED: (
        _("【联名邀请】{{ proposal }}"),
        _("{{ addressee }}:\n"
          "{{ inviter }}邀请您联名提出{{ proposal }}。\n"
          "请于 {{ due_on }} 前同意或拒绝联名({{ rule }}),逾期视为未确认。\n"
          "查看提案:{{ url }}"),
    ),
    K.PROPOSAL_FILED: (
        _("【已立案】{{ proposal }}"),
        _("{{ addressee }}:\n"
          "您提出的{{ proposal }}经审查已立案,将交由承办单位办理,办理进展可在系统中查看。\n"
          "查看提案:{{ url }}"),
    ),
    K.PROPOSAL_REJECTED: (
        _("【不予立案】{{ proposal }}"),
        _("{{ addressee }}:\n"
          "您提出的{{ proposal }}经审查不予立案。理由:{{ reason }}\n"
          "如有疑问,请与提案委员会联系。\n"
          "查看提案:{{ url }}"),
    ),
    K.PROPOSAL_CONVERTED: (
        _("【转为意见建议】{{ proposal }}"),
        _("{{ addressee }}:\n"
          "您提出的{{ proposal }}经审查转为意见建议(社情民意)处理。理由:{{ reason }}\n"
          "查看提案:{{ url }}"),
    ),
    K.PROPOSAL_MERGED: (
        _("【已并案】{{ proposal }}"),
        _("{{ addressee }}:\n"
          "您提出的{{ proposal }}已并入{{ merged_into }}办理{% if reason %},理由:{{ reason }}{% endif %}。\n"
          "该提案的答复将同样送达您。\n"
          "查看提案:{{ url }}"),
    ),
    K.REPLY_PUBLISHED: (
        _("【收到答复】{{ proposal }}"),
        _("{{ addressee }}:\n"
          "{{ agency }}已就{{ proposal }}作出答复“{{ reply_title }}”。\n"
          "{% if feedback_due_on %}请查看答复,并于 {{ feedback_due_on }} 前评价(满意、基本满意或不满意;"
          "{{ feedback_explanation }}),逾期未评价的记为未表态。\n{% endif %}"
          "查看答复:{{ url }}"),
    ),
    K.REHANDLE_STARTED: (
        _("【重新办理】{{ proposal }}"),
        _("{{ addressee }}:\n"
          "{{ proposal }}已退回{{ agency }}重新办理,新的答复期限为 {{ due_on }}({{ due_explanation }})。\n"
          "查看提案:{{ url }}"),
    ),
    K.KEY_PROGRESS: (
        _("【重点提案进展】{{ proposal }}"),
        _("{{ addressee }}:\n"
          "您督办的重点提案{{ proposal }}有新进展:{{ progress }}\n"
          "查看提案:{{ url }}"),
    ),
    K.REMINDER_BEFORE: (
        _("【即将到期】{{ proposal }}"),
        _("{{ addressee }}:\n"
          "{{ proposal }}的{{ deadline_label }}为 {{ due_on }}({{ due_explanation }}),"
          "还有 {{ working_days_left }} 个工作日。\n"
          "{% if action %}{{ action }}{% else %}请按期办理。{% endif %}\n"
          "办理页面:{{ url }}"),
    ),
    K.REMINDER_DUE: (
        _("【今日到期】{{ proposal }}"),
        _("{{ addressee }}:\n"
          "{{ proposal }}的{{ deadline_label }}为今天({{ due_on }};{{ due_explanation }})。\n"
          "{% if action %}{{ action }}{% else %}请今日内办理。{% endif %}\n"
          "办理页面:{{ url }}"),
    ),
    K.ESCALATION: (
        _("【逾期督促】{{ proposal }}"),
        _("{{ addressee }}:\n"
          "{{ agency }}承办的{{ proposal }}{{ deadline_label }}为 {{ due_on }}({{ due_explanation }}),"
          "已逾期 {{ working_days_overdue }} 个工作日。\n"
          "请督促办理。\n"
          "办理页面:{{ url }}"),
    ),
    K.OVERDUE_DIGEST: (
        _("【逾期汇总】{{ count }} 项已逾期"),
        _("{{ addressee }}:\n"
          "截至 {{ today }},以下 {{ count }} 项已逾期:\n"
          "{{ items }}\n"
          "查看:{{ url }}"),
    ),
}

COMMON_VARIABLES = ("addressee", "proposal", "url")
VARIABLES: dict[str, tuple[str, ...]] = {
    K.ASSIGNMENT_NEW: ("agency", "role", "task", "due_on", "due_explanation", "objection_due_on",
                       "objection_explanation"),
    K.OBJECTION_DECIDED: ("agency", "decision", "reason", "new_agency", "due_on", "due_explanation"),
    K.EXTENSION_DECIDED: ("agency", "granted", "old_due_on", "wanted_due_on", "reason", "due_on",
                          "due_explanation"),
    K.REPLY_RETURNED: ("agency", "reason", "due_on", "due_explanation"),
    K.REHANDLE: ("agency", "comments", "due_on", "due_explanation"),
    K.CO_OPINION_ARRIVED: ("agency", "co_agency", "late", "due_on", "due_explanation"),
    K.URGE: ("agency", "message", "due_on", "due_explanation", "days_overdue"),
    K.SUBMITTED: ("proposers",),
    K.OBJECTION_FILED: ("agency", "reason"),
    K.EXTENSION_REQUESTED: ("agency", "due_on", "wanted_due_on", "reason"),
    K.REPLY_SUBMITTED: ("agency", "reply_title", "disclosure", "to_publish"),
    K.DISSATISFIED: ("agency", "rater", "comments", "due_on", "due_explanation"),
    K.COSIGN_INVITED: ("inviter", "due_on", "rule"),
    K.PROPOSAL_FILED: (),
    K.PROPOSAL_REJECTED: ("reason",),
    K.PROPOSAL_CONVERTED: ("reason",),
    K.PROPOSAL_MERGED: ("merged_into", "reason"),
    K.REPLY_PUBLISHED: ("agency", "reply_title", "feedback_due_on", "feedback_explanation"),
    K.REHANDLE_STARTED: ("agency", "due_on", "due_explanation"),
    K.KEY_PROGRESS: ("progress",),
    # action: what the reader is asked to do, per deadline (notifications.reminders.ACTIONS).
    K.REMINDER_BEFORE: ("agency", "deadline_label", "due_on", "due_explanation", "working_days_left", "action"),
    K.REMINDER_DUE: ("agency", "deadline_label", "due_on", "due_explanation", "action"),
    K.ESCALATION: ("agency", "deadline_label", "due_on", "due_explanation", "working_days_overdue"),
    K.OVERDUE_DIGEST: ("count", "today", "items"),
}

DIGEST_SUBJECT = _("【政协提案办理系统】今日通知 {{ count }} 条")
DIGEST_BODY = _("您好:\n"
                "以下是您的通知汇总,共 {{ count }} 条。\n"
                "{% for item in items %}\n{{ forloop.counter }}. {{ item.subject }}\n{{ item.body }}\n{% endfor %}")


def shipped(kind: str) -> tuple[str, str]:
    """The shipped (subject, body) of ``kind``, in the active language."""
    subject, body = SHIPPED[kind]
    return str(subject), str(body)


def variables(kind: str) -> tuple[str, ...]:
    return COMMON_VARIABLES + VARIABLES.get(kind, ())


def override_for(kind: str, committee_id, language: str) -> MessageTemplate | None:
    """The committee's row for this language, else its row for any language, else the rows for
    every committee in the same order."""
    rows = MessageTemplate.objects.filter(Q(committee_id=committee_id) | Q(committee__isnull=True) if committee_id
                                          else Q(committee__isnull=True), kind=kind, language__in=[language, ""])

    def rank(row):
        return (row.committee_id is None, row.language == "")

    return min(rows, key=rank, default=None)


def check_template(source: str) -> None:
    """Raises TemplateSyntaxError when ``source`` does not compile (the admin's form asks)."""
    ENGINE.from_string(source)


def render_source(source: str, context: dict) -> str:
    return ENGINE.from_string(source).render(Context(context, autoescape=False))


def one_line(text: str, limit: int = 300) -> str:
    return " ".join(text.split())[:limit]


def render(kind: str, *, committee_id, language: str, context: dict) -> tuple[str, str]:
    """(subject, body) of a message of ``kind`` in ``language``: the committee's wording where it
    has one (notifications.models.MessageTemplate), else the shipped text."""
    with translation.override(language):
        row = override_for(kind, committee_id, language)
        if row is not None:
            try:
                return one_line(render_source(row.subject, context)), render_source(row.body, context).strip()
            except Exception:  # noqa: BLE001 - whatever a person wrote, the step goes on
                logger.exception("Message template %s (%s) failed; the shipped text is used", row.pk, kind)
        subject, body = shipped(kind)
        return one_line(render_source(subject, context)), render_source(body, context).strip()


def render_digest(items: list[dict], language: str) -> tuple[str, str]:
    """The daily digest mail of ``items`` ({"subject", "body"}) in ``language``."""
    with translation.override(language):
        context = {"count": len(items), "items": items}
        return one_line(render_source(str(DIGEST_SUBJECT), context)), render_source(str(DIGEST_BODY), context).strip()
