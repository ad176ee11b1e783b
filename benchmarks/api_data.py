"""Synthetic data for benchmarks/api.py: N proposals with sessions, agencies, proposers,
assignments, replies, feedback and events in realistic proportions, generated and written a
chunk at a time (benchmarks/bulk_rows.py: COPY on PostgreSQL, batched inserts on SQLite), so
that memory stays constant however many proposals (1,000,000 included).

Proportions (a city committee's year, domain.md): 20 committees × 5 sessions; 25 agencies and
200 proposers per committee; 1–3 proposers per proposal; statuses: 50 % closed, 14 % replied,
20 % assigned (a third of them overdue), the rest before assignment; 80 % lead (+0–2 co-handlers),
20 % two separate agencies; replies A 50 % / B 35 % / C 12 % / D 3 %, 85 % 主动公开 (70 % of
those published); feedback 满意 70 % / 基本满意 25 % / 不满意 5 %.

Deadlines are stored as the services store them (Assignment.due_explanation: the reply or
co-handling deadline and the objection window, each Deadline.as_dict(), computed with the
seeded holiday calendar; 5 % of the answered ones extended by a month), so that the API
explains them exactly as it would in use.
"""
from __future__ import annotations

import datetime
import random

from benchmarks.bulk_rows import Ids, RowWriter

TOPICS = {
    "教育": ["落实双减政策减轻学生负担", "推进义务教育优质均衡发展", "加强职业教育产教融合", "提高乡村教师待遇",
           "扩大普惠性学前教育资源"],
    "交通": ["优化城区公交线路", "缓解学校周边交通拥堵", "加快农村公路建设", "规范共享单车停放", "建设智慧停车系统"],
    "医疗": ["推进分级诊疗制度", "加强基层医疗卫生队伍", "完善慢性病长期处方", "提升县级医院服务能力",
           "推动中医药传承创新"],
    "养老": ["发展社区居家养老服务", "推进医养结合", "加强养老护理人才培养", "完善农村互助养老", "建设老年友好社区"],
    "环保": ["加强河湖长制落实", "推进垃圾分类", "治理农业面源污染", "保护城市湿地公园", "推广新能源汽车充电设施"],
    "就业": ["促进高校毕业生就业", "支持返乡创业", "规范灵活就业社会保障", "加强技能人才培训", "稳定农民工就业"],
    "农业": ["发展高原特色农业", "加强高标准农田建设", "推进农产品品牌建设", "完善农业社会化服务", "保障粮食安全"],
    "文化": ["保护历史文化街区", "推动文旅融合发展", "建设城市书房", "扶持非遗传承人", "繁荣乡村文化"],
}
GENERIC = ["建议有关部门高度重视", "加大财政投入力度", "完善相关政策措施", "建立长效工作机制", "强化督促检查",
           "广泛听取群众意见", "做好宣传引导工作", "加强部门协调配合", "明确责任分工", "注重实际成效"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华玉萍红玲芬燕春菊凤洁梅琳云莲雪荣香月"
AGENCY_SUFFIXES = ["教育体育局", "财政局", "人力资源和社会保障局", "卫生健康委员会", "自然资源局", "住房和城乡建设局",
                   "交通运输局", "农业农村局", "文化和旅游局", "民政局", "生态环境局", "市场监督管理局", "发展和改革委员会",
                   "公安局", "水务局", "林业和草原局", "商务局", "科学技术局", "应急管理局", "医疗保障局", "退役军人事务局",
                   "城市管理局", "工业和信息化局", "司法局", "统计局"]
CITIES = ["曲靖", "楚雄", "长春", "重庆", "昆明", "玉溪", "大理", "保山", "昭通", "丽江", "普洱", "临沧", "红河", "文山",
          "西双版纳", "德宏", "怒江", "迪庆", "吉林", "四平"]
STATUSES = [("closed", 50), ("replied", 14), ("assigned", 20), ("submitted", 3), ("filed", 2), ("not_filed", 3),
            ("converted", 3), ("merged", 2), ("withdrawn", 1), ("draft", 2)]
CHUNK = 5000  # proposals generated and written at a time (with their rows): the memory held
# Bumped whenever the data changes, so that benchmarks/api.py --reuse refills an older database.
DATA_VERSION = 4


def _weighted(rng, pairs):
    return rng.choices([v for v, _ in pairs], weights=[w for _, w in pairs])[0]


def fill(n: int, seed: int = 20240521, today: datetime.date | None = None) -> dict:
    """Write the data; returns a few names the measurements use."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from proposals.deadlines import (add_months, extended_deadline, extension_cap, months_deadline, reply_deadline,
                                     working_days_deadline)
    from proposals.models import (Agency, AgencyAlias, Assignment, Committee, Event, Proposal, ProposalProposer,
                                  Proposer, Session)
    from proposals.selectors import work_calendar
    from proposals.naturalsort import natural_sort_key
    from proposals.search import compose
    from replies.models import Feedback, Reply

    rng = random.Random(seed)
    today = today or timezone.localdate()
    committees = Committee.objects.bulk_create([Committee(name=f"{c}市政协", region=f"{c}市") for c in CITIES])
    sessions = Session.objects.bulk_create([
        Session(committee=c, term=6, number=k, year=2020 + k) for c in committees for k in range(1, 6)])
    agencies = []
    for c in CITIES:
        agencies += [Agency(name=f"{c}市{suffix}", region=f"{c}市", level="city") for suffix in AGENCY_SUFFIXES]
    agencies = Agency.objects.bulk_create(agencies)
    AgencyAlias.objects.bulk_create([AgencyAlias(agency=a, name="市" + a.name.split("市", 1)[1][:2])
                                     for a in agencies])
    by_city = {c: agencies[i * len(AGENCY_SUFFIXES):(i + 1) * len(AGENCY_SUFFIXES)] for i, c in enumerate(CITIES)}
    proposers = Proposer.objects.bulk_create([
        Proposer(committee=c, name=f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{rng.choice(GIVEN)}{i}",
                 phone=f"138{rng.randrange(10**8):08d}")
        for c in committees for i in range(200)])
    by_committee = {c.pk: proposers[i * 200:(i + 1) * 200] for i, c in enumerate(committees)}
    city_of = {c.pk: city for c, city in zip(committees, CITIES)}

    now = timezone.localtime()
    calendar = work_calendar(datetime.date(2015, 1, 1), today + datetime.timedelta(days=400))
    objection_windows = {}

    def objection(assigned_on):
        if assigned_on not in objection_windows:
            objection_windows[assigned_on] = working_days_deadline(
                "objection_working_days", "assigned", assigned_on, 5, calendar)
        return objection_windows[assigned_on]

    known = {}

    def deadlines(assigned_on, extended):
        """The deadlines of an assignment made that day (5 % of the answered ones extended by a
        month), with their stored explanations, computed once per day (a shared, read-only dict)."""
        if (assigned_on, extended) not in known:
            reply = reply_deadline(assigned_on, 3)
            if extended:  # within the default cap (reply_max_months 6, rehandle_max_months 2), as the services store it
                cap = extension_cap(reply, assigned_on=assigned_on, reply_max_months=6, rehandle_max_months=2)
                reply = extended_deadline(reply, add_months(assigned_on, 4), cap, "涉及多个部门,需进一步协调")
            co_opinion = months_deadline("co_opinion_months", "assigned", assigned_on, 1)
            original = (datetime.date.fromisoformat(reply.extension["original_due_on"]) if reply.extension
                        else reply.due_on)
            window = objection(assigned_on)
            known[assigned_on, extended] = (reply, co_opinion, window, original, {
                co: {"due": (co_opinion if co else reply).as_dict(), "objection": window.as_dict()}
                for co in (False, True)})
        return known[assigned_on, extended]

    big = [Proposal, ProposalProposer, Assignment, Event, Reply, Feedback]
    ids, writer = Ids(), RowWriter(big)
    per_session = max(1, n // len(sessions))
    previous = None  # a merged proposal is merged into the one before it (same session, almost always)

    def one_proposal(i):
        """The rows of one proposal (column values by attribute name, table by table)."""
        nonlocal previous
        session = sessions[min(i // per_session, len(sessions) - 1)]
        topic = rng.choice(list(TOPICS))
        title = f"关于{rng.choice(TOPICS[topic])}的提案"
        body = ",".join(rng.sample(TOPICS[topic], 2) + rng.sample(GENERIC, rng.randrange(4, 9))) + "。" * 3
        body = (body + "当前存在的主要问题是工作机制不够健全,") * rng.randrange(2, 6)
        status = _weighted(rng, STATUSES)
        signers = rng.sample(by_committee[session.committee_id], rng.choice((1, 1, 1, 2, 3)))
        roles = ["lead"] + ["co"] * rng.randrange(0, 3) if rng.random() < 0.8 else ["separate", "separate"]
        chosen = list(zip(rng.sample(by_city[city_of[session.committee_id]], 3), roles))
        if status not in ("assigned", "replied", "closed"):
            chosen = []
        submitted = datetime.date(session.year, 1, 15) + datetime.timedelta(days=rng.randrange(0, 60))
        number = str(i % per_session + 1)
        names = [p.name for p in signers] + [a.name for a, _role in chosen]
        filed = status in ("filed", "assigned", "replied", "closed")
        merged = status == "merged" and previous is not None
        pid = ids(Proposal)
        proposal = {
            "id": pid, "session_id": session.pk, "number": number, "number_sort": natural_sort_key(number),
            "title": title, "body": body, "topic": topic,
            "status": "merged" if merged else "submitted" if status == "merged" else status,
            "merged_into_id": previous if merged else None, "is_key": rng.random() < 0.03,
            "submitted_on": None if status == "draft" else submitted,
            "filed_on": submitted + datetime.timedelta(days=10) if filed else None,
            "search_text": compose(number=number, title=title, body=body, names=names)}
        previous = pid
        rows = {model: [] for model in big}
        rows[Proposal].append(proposal)
        rows[ProposalProposer] += [{"id": ids(ProposalProposer), "proposal_id": pid, "proposer_id": p.pk,
                                    "position": k} for k, p in enumerate(signers)]
        rows[Event].append({"id": ids(Event), "proposal_id": pid, "action": "create", "to_status": "draft",
                            "at": now})
        if status not in ("assigned", "replied", "closed"):
            return rows
        if status == "assigned":  # open: due within the next 90 days, a third of them already past
            overdue = rng.random() < 0.33
            due = today + datetime.timedelta(days=-rng.randrange(1, 90) if overdue else rng.randrange(1, 90))
            assigned_on = add_months(due, -3)
        else:
            assigned_on = submitted + datetime.timedelta(days=20)
        reply, co_opinion, window, original, explained = deadlines(
            assigned_on, extended=status != "assigned" and rng.random() < 0.05)
        a_status = {"assigned": "acknowledged", "replied": "replied", "closed": "closed"}[status]
        replied_on = assigned_on + datetime.timedelta(days=rng.randrange(30, 110)) if status != "assigned" else None
        for agency, role in chosen:
            deadline = co_opinion if role == "co" else reply
            rows[Assignment].append({
                "id": ids(Assignment), "proposal_id": pid, "agency_id": agency.pk, "role": role, "status": a_status,
                "assigned_on": assigned_on, "acknowledged_on": assigned_on + datetime.timedelta(days=2),
                "objection_due_on": window.due_on, "due_on": deadline.due_on,
                "original_due_on": original if role != "co" else deadline.due_on,
                "replied_on": replied_on if role != "co" else None,
                "extension_reason": deadline.extension.get("reason", ""),
                "due_explanation": explained[role == "co"]})
        proposal["next_due_on"] = reply.due_on if status == "assigned" else None
        rows[Event].append({"id": ids(Event), "proposal_id": pid, "action": "assign", "to_status": "assigned",
                            "at": now})
        for a in rows[Assignment]:
            if a["replied_on"] is None:
                continue
            disclosure = "public" if rng.random() < 0.85 else "on_request"
            answer = {
                "id": ids(Reply), "assignment_id": a["id"], "kind": "reply",
                "status": "published" if disclosure == "public" and rng.random() < 0.7 else "submitted",
                "title": "答复", "body": "经研究,现答复如下。" * 20,
                "classification": _weighted(rng, [("A", 50), ("B", 35), ("C", 12), ("D", 3)]),
                "disclosure": disclosure, "delivered_on": a["replied_on"], "signed_on": a["replied_on"]}
            rows[Reply].append(answer)
            rows[Feedback].append({
                "id": ids(Feedback), "reply_id": answer["id"], "proposer_id": signers[0].pk,
                "rating": _weighted(rng, [("satisfied", 70), ("basically", 25), ("dissatisfied", 5)]),
                "given_on": answer["delivered_on"] + datetime.timedelta(days=5)})
            # What the reply services keep when they publish (proposals.visibility reads it).
            if answer["status"] == "published":
                proposal["answered_publicly"] = True
        return rows

    for start in range(0, n, CHUNK):
        chunk = {model: [] for model in big}
        for i in range(start, min(n, start + CHUNK)):
            for model, found in one_proposal(i).items():
                chunk[model] += found
        for model in big:
            writer.write(model, chunk[model])
    writer.finish(big)

    staff, _ = get_user_model().objects.get_or_create(username="bench-staff", defaults={"is_superuser": True})
    token, _ = Token.objects.get_or_create(user=staff)
    counts = writer.counts
    return {"token": token.key, "agency": agencies[0].name, "agency_id": agencies[0].pk,
            "counts": {"proposals": n, "assignments": counts["proposals.Assignment"],
                       "replies": counts["replies.Reply"], "signatures": counts["proposals.ProposalProposer"],
                       "events": counts["proposals.Event"]}}
