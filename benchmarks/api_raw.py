"""The raw side of benchmarks/api.py: hand-written SQL for what each endpoint returns, and the
least Python that turns its rows into the API's document (checked equal before timing)."""
from __future__ import annotations

import datetime
import json
from urllib.parse import urlencode

HOST = "127.0.0.1"
PAGE = 20


class Raw:
    """Hand-written SQL and the least Python that turns its rows into the API's document."""

    LIST_COLUMNS = ("p.id, p.number, p.title, p.topic, p.status, p.is_key, p.submitted_on, p.next_due_on, "
                    "p.updated_at, s.id, s.term, s.number, s.year, c.id, c.name")
    PAGE_SQL = (f"SELECT {LIST_COLUMNS} FROM proposals_proposal p JOIN proposals_session s ON s.id = p.session_id "
                "JOIN proposals_committee c ON c.id = s.committee_id WHERE {where} "
                f"ORDER BY p.session_id DESC, p.number_sort, p.id LIMIT {PAGE}")
    LEADS_SQL = ("SELECT pp.proposal_id, pr.id, pr.name, pr.kind FROM proposals_proposalproposer pp "
                 "JOIN proposals_proposer pr ON pr.id = pp.proposer_id WHERE pp.position = 0 AND pp.proposal_id IN ({ids})")
    AGENCIES_SQL = ("SELECT a.proposal_id, g.id, g.name FROM proposals_assignment a "
                    "JOIN proposals_agency g ON g.id = a.agency_id WHERE a.role = 'lead' "
                    "AND a.status NOT IN ('reassigned', 'cancelled') AND a.proposal_id IN ({ids})")
    DETAIL_SQL = """
        SELECT p.id, p.number, p.title, p.topic, p.status, p.is_key, p.submitted_on, p.next_due_on, p.updated_at,
               s.id, s.term, s.number, s.year, c.id, c.name,
               p.body, p.proposers_more, p.review_reason, p.reviewed_at, p.supervising_leader, p.filed_on,
               p.closed_on, p.created_at, m.id, m.number, m.title, m.status, ms.term, ms.number, mc.name,
               EXISTS (SELECT 1 FROM proposals_proposal x WHERE x.merged_into_id = p.id),
               EXISTS (SELECT 1 FROM proposals_supervisionlog l WHERE l.proposal_id = p.id)
        FROM proposals_proposal p JOIN proposals_session s ON s.id = p.session_id
        JOIN proposals_committee c ON c.id = s.committee_id
        LEFT JOIN proposals_proposal m ON m.id = p.merged_into_id
        LEFT JOIN proposals_session ms ON ms.id = m.session_id LEFT JOIN proposals_committee mc ON mc.id = ms.committee_id
        WHERE p.id = %s"""
    SIGNERS_SQL = ("SELECT pp.position, pr.id, pr.name, pr.kind FROM proposals_proposalproposer pp "
                   "JOIN proposals_proposer pr ON pr.id = pp.proposer_id WHERE pp.proposal_id = %s ORDER BY pp.position")
    ASSIGNMENTS_SQL = """
        SELECT a.id, g.id, g.name, a.role, a.status, a.assigned_on, a.acknowledged_on, a.objection_due_on, a.due_on,
               a.replied_on, a.rehandle_count, a.updated_at, a.original_due_on, a.due_explanation, a.objection_reason,
               a.objected_on, a.objection_decision, a.objection_decision_note, a.extension_reason, a.created_at,
               a.deadline_review
        FROM proposals_assignment a JOIN proposals_agency g ON g.id = a.agency_id
        WHERE a.proposal_id = %s ORDER BY a.role, a.id"""
    INVITATIONS_SQL = """
        SELECT i.id, i.status, i.invited_on, i.due_on, i.responded_on, pr.id, pr.name, pr.kind
        FROM proposals_cosigninvitation i JOIN proposals_proposer pr ON pr.id = i.proposer_id
        WHERE i.proposal_id = %s ORDER BY i.id"""
    REPLIES_SQL = """
        SELECT r.id, r.assignment_id, r.kind, r.round, r.status, r.doc_number, r.title, r.signed_on, r.published_on,
               r.classification, r.disclosure, r.updated_at
        FROM replies_reply r JOIN proposals_assignment a ON a.id = r.assignment_id
        WHERE a.proposal_id = %s ORDER BY a.role, a.id, r.round, r.kind, r.id"""
    MERGED_SQL = ("SELECT p.id, p.number, p.title, p.status, s.term, s.number, c.name FROM proposals_proposal p "
                  "JOIN proposals_session s ON s.id = p.session_id JOIN proposals_committee c ON c.id = s.committee_id "
                  "WHERE p.merged_into_id = %s ORDER BY p.session_id, p.number_sort, p.id")
    SUPERVISION_SQL = ("SELECT id, date, leader, note FROM proposals_supervisionlog WHERE proposal_id = %s "
                       "ORDER BY date, id")

    def __init__(self):
        import zoneinfo

        from django.conf import settings
        from django.db import connection
        from django.utils import timezone

        from proposals.models import Assignment, CoSignInvitation, Proposal, Proposer
        from replies.models import Reply

        def table(model, field):
            return {k: str(v) for k, v in model._meta.get_field(field).flatchoices}

        self.connection = connection
        self.sqlite = connection.vendor == "sqlite"
        self.tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        self.today = timezone.localdate()
        self.labels = {
            "proposal": table(Proposal, "status"), "proposer": table(Proposer, "kind"),
            "invitation": table(CoSignInvitation, "status"),
            "role": table(Assignment, "role"), "assignment": table(Assignment, "status"),
            "decision": table(Assignment, "objection_decision"), "kind": table(Reply, "kind"),
            "reply": table(Reply, "status"), "class": table(Reply, "classification"),
            "disclosure": table(Reply, "disclosure"),
        }

    # Values as the driver returns them (SQLite: ISO text for some, naive UTC datetimes) -> as DRF writes them.
    @staticmethod
    def d(value):
        if value is None or isinstance(value, str):
            return value
        return value.isoformat()

    def dt(self, value):
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        text = value.astimezone(self.tz).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    def day(self, value):
        if value is None or isinstance(value, datetime.date):
            return value
        return datetime.date.fromisoformat(value)

    def label(self, table, value):
        return None if value is None else self.labels[table].get(value, value)

    @staticmethod
    def session_label(committee, term, number):
        from proposals.numerals import to_chinese_numeral

        return f"{committee}{to_chinese_numeral(term)}届{to_chinese_numeral(number)}次会议"

    def overdue(self, status, due, open_statuses=("assigned",)):
        due = self.day(due)
        return (self.today - due).days if status in open_statuses and due and due < self.today else 0

    def list(self, where: str, params: list, query: dict, path: str = "/api/proposals/") -> bytes:
        """COUNT, the page with its session and committee, the lead proposers and lead agencies."""
        with self.connection.cursor() as cursor:
            count, estimated = self.count(cursor, where, params)
            cursor.execute(self.PAGE_SQL.format(where=where), params)
            rows = cursor.fetchall()
            ids = ",".join(str(r[0]) for r in rows) or "0"
            cursor.execute(self.LEADS_SQL.format(ids=ids))
            leads = {r[0]: {"id": r[1], "name": r[2], "kind": r[3], "kind_label": self.label("proposer", r[3])}
                     for r in cursor.fetchall()}
            cursor.execute(self.AGENCIES_SQL.format(ids=ids))
            agencies = {r[0]: {"id": r[1], "name": r[2]} for r in cursor.fetchall()}
        results = [self.list_row(r, leads.get(r[0]), agencies.get(r[0])) for r in rows]
        following = (f"http://{HOST}{path}?" + urlencode(sorted({**query, "page": "2"}.items()))) if count > PAGE else None
        return self.dumps({"count": count, "next": following, "previous": None, "results": results,
                           **({"count_estimated": True} if estimated else {})})

    def count(self, cursor, where: str, params: list) -> tuple[int, bool]:
        """As the API counts (proposals/api/pagination.py): exactly up to API_EXACT_COUNT_LIMIT
        rows, past it (PostgreSQL) the planner's estimate of the same rows."""
        from django.conf import settings

        limit = settings.API_EXACT_COUNT_LIMIT
        if not limit or self.connection.vendor != "postgresql":
            cursor.execute(f"SELECT COUNT(*) FROM proposals_proposal p WHERE {where}", params)
            return cursor.fetchone()[0], False
        cursor.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM proposals_proposal p WHERE {where} LIMIT %s) t",
                       [*params, limit + 1])
        counted = cursor.fetchone()[0]
        if counted <= limit:
            return counted, False
        cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT p.id FROM proposals_proposal p WHERE {where}", params)
        plan = cursor.fetchone()[0]
        plan = plan if isinstance(plan, list) else json.loads(plan)
        return max(limit + 1, int(plan[0]["Plan"]["Plan Rows"])), True

    def list_row(self, r, lead_proposer, lead_agency) -> dict:
        return {
            "id": r[0], "session": {"id": r[9], "key": f"{r[14]}/{r[10]}/{r[11]}",
                                    "label": self.session_label(r[14], r[10], r[11]),
                                    "committee": {"id": r[13], "name": r[14]}, "term": r[10], "number": r[11],
                                    "year": r[12]},
            "number": r[1], "title": r[2], "topic": r[3], "status": r[4], "status_label": self.label("proposal", r[4]),
            "is_key": bool(r[5]), "lead_proposer": lead_proposer, "lead_agency": lead_agency,
            "submitted_on": self.d(r[6]), "next_due_on": self.d(r[7]), "overdue_days": self.overdue(r[4], r[7]),
            "updated_at": self.dt(r[8])}

    def explain(self, stored):
        from proposals.deadlines import deadline_from_dict

        if isinstance(stored, str):
            stored = json.loads(stored)
        return {key: {**part, "text": deadline_from_dict(part).explain()} if isinstance(part, dict) and "start_on" in part
                else part for key, part in (stored or {}).items()}

    def invitation(self, r, proposal_status) -> dict:
        """A co-signing invitation as the staff reader gets it: expired once past its window."""
        due = self.day(r[3])
        is_open = r[1] == "invited" and due >= self.today
        status = "expired" if r[1] == "invited" and not is_open else r[1]
        return {"id": r[0], "proposer": {"id": r[5], "name": r[6], "kind": r[7], "kind_label": self.label("proposer", r[7])},
                "status": status, "status_label": self.label("invitation", status), "invited_on": self.d(r[2]),
                "due_on": self.d(r[3]), "responded_on": self.d(r[4]), "is_open": proposal_status == "draft" and is_open}

    def detail(self, pk: int) -> bytes:
        with self.connection.cursor() as cursor:
            cursor.execute(self.DETAIL_SQL, [pk])
            p = cursor.fetchone()
            cursor.execute(self.SIGNERS_SQL, [pk])
            signers = [{"position": r[0], "proposer": {"id": r[1], "name": r[2], "kind": r[3],
                                                       "kind_label": self.label("proposer", r[3])}}
                       for r in cursor.fetchall()]
            cursor.execute(self.INVITATIONS_SQL, [pk])
            invitations = [self.invitation(r, p[4]) for r in cursor.fetchall()]
            cursor.execute(self.ASSIGNMENTS_SQL, [pk])
            assignments = cursor.fetchall()
            cursor.execute(self.REPLIES_SQL, [pk])
            replies = cursor.fetchall()
            merged, supervision = [], []
            if p[30]:
                cursor.execute(self.MERGED_SQL, [pk])
                merged = [{"id": r[0], "session_key": f"{r[6]}/{r[4]}/{r[5]}", "number": r[1], "title": r[2],
                           "status": r[3], "status_label": self.label("proposal", r[3])} for r in cursor.fetchall()]
            if p[31]:
                cursor.execute(self.SUPERVISION_SQL, [pk])
                supervision = [{"id": r[0], "date": self.d(r[1]), "leader": r[2], "note": r[3]}
                               for r in cursor.fetchall()]
        lead = next((a for a in assignments if a[3] == "lead" and a[4] not in ("reassigned", "cancelled")), None)
        document = self.list_row(p, signers[0]["proposer"] if signers else None,
                                 {"id": lead[1], "name": lead[2]} if lead else None)
        brief = {"id": p[0], "session_key": f"{p[14]}/{p[10]}/{p[11]}", "number": p[1], "title": p[2],
                 "status": p[4], "status_label": self.label("proposal", p[4])}
        agencies = {a[0]: {"id": a[1], "name": a[2]} for a in assignments}
        document.update({
            "body": p[15], "proposers": signers, "proposers_more": bool(p[16]), "invitations": invitations,
            "review_reason": p[17],
            "reviewed_at": self.dt(p[18]),
            "merged_into": {"id": p[23], "session_key": f"{p[29]}/{p[27]}/{p[28]}", "number": p[24], "title": p[25],
                            "status": p[26], "status_label": self.label("proposal", p[26])} if p[23] else None,
            "merged_proposals": merged, "supervising_leader": p[19], "filed_on": self.d(p[20]),
            "closed_on": self.d(p[21]), "created_at": self.dt(p[22]),
            "assignments": [{
                "id": a[0], "agency": {"id": a[1], "name": a[2]}, "role": a[3], "role_label": self.label("role", a[3]),
                "status": a[4], "status_label": self.label("assignment", a[4]), "assigned_on": self.d(a[5]),
                "acknowledged_on": self.d(a[6]), "objection_due_on": self.d(a[7]), "due_on": self.d(a[8]),
                "overdue_days": self.overdue(a[4], a[8], ("assigned", "acknowledged", "objected", "rehandling")),
                "replied_on": self.d(a[9]), "rehandle_count": a[10], "updated_at": self.dt(a[11]),
                "original_due_on": self.d(a[12]), "due_explanation": self.explain(a[13]), "objection_reason": a[14],
                "objected_on": self.d(a[15]), "objection_decision": a[16],
                "objection_decision_label": self.label("decision", a[16]), "objection_decision_note": a[17],
                "extension_reason": a[18], "created_at": self.dt(a[19]), "deadline_review": a[20]}
                for a in assignments],
            "replies": [{
                "id": r[0], "assignment": r[1], "proposal": brief, "agency": agencies[r[1]], "kind": r[2],
                "kind_label": self.label("kind", r[2]), "round": r[3], "status": r[4],
                "status_label": self.label("reply", r[4]), "doc_number": r[5], "title": r[6], "signed_on": self.d(r[7]),
                "published_on": self.d(r[8]), "classification": r[9], "classification_label": self.label("class", r[9]),
                "disclosure": r[10], "disclosure_label": self.label("disclosure", r[10]), "updated_at": self.dt(r[11]),
            } for r in replies],
            "supervision_logs": supervision,
        })
        return self.dumps(document)

    def replay(self, statements: list[tuple[str, tuple]]):
        """The SQL an API request ran (authentication aside), executed raw, rows JSON-encoded."""
        def run(_i=None):
            out = []
            with self.connection.cursor() as cursor:
                for sql, params in statements:
                    cursor.execute(sql, params)
                    out.append(cursor.fetchall())
            return self.dumps(out)

        return run

    @staticmethod
    def dumps(data) -> bytes:
        return json.dumps(data, ensure_ascii=False, default=str).encode()
