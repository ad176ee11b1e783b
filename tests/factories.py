"""factory-boy factories shared by every test module."""
import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from proposals.models import Agency, AgencyAlias, Committee, Proposal, ProposalProposer, Proposer, Session
from proposals.naturalsort import natural_sort_key
from proposals.roles import STAFF_GROUP


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pass")
    is_staff = True


def staff_user(username="staff"):
    """A member of the proposal committee's staff (the 提案委员会 group)."""
    group, _ = Group.objects.get_or_create(name=STAFF_GROUP)
    group.permissions.add(Permission.objects.get(codename="manage_workflow"))
    user = UserFactory(username=username)
    user.groups.add(group)
    return user


class CommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Committee
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试{n}市政协")
    # The region of AgencyFactory's agencies: an agency of another region is refused unless
    # staff allow it (proposals.services.reassignment.check_agency_region).
    region = "测试市"


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    committee = factory.SubFactory(CommitteeFactory)
    term = 6
    number = factory.Sequence(lambda n: n + 1)
    year = 2024


class ProposerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposer

    committee = factory.SubFactory(CommitteeFactory)
    name = factory.Sequence(lambda n: f"委员{n}")
    kind = Proposer.Kind.MEMBER


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"测试市第{n}局")
    region = "测试市"


class AgencyAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgencyAlias

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"简称{n}")


class ProposalFactory(factory.django.DjangoModelFactory):
    """A proposal in a given status, created directly (use the services to test moves)."""

    class Meta:
        model = Proposal
        skip_postgeneration_save = True

    session = factory.SubFactory(SessionFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    number_sort = factory.LazyAttribute(lambda o: natural_sort_key(o.number))
    title = factory.Sequence(lambda n: f"关于第{n}项工作的提案")
    body = "建议内容"
    status = Proposal.Status.SUBMITTED
    submitted_on = datetime.date(2024, 3, 1)

    @factory.post_generation
    def proposers(self, create, extracted, **kwargs):
        if not create:
            return
        people = extracted or [ProposerFactory(committee=self.session.committee)]
        for position, person in enumerate(people):
            ProposalProposer.objects.create(proposal=self, proposer=person, position=position)


# --- The workflow: one user per role, and objects brought to a state through the real services.
# (Appended for tests/proposals/test_services.py and the other workflow tests; states are reached
# through the services, never written directly, so that a test sees what a user would leave behind.)

import dataclasses  # noqa: E402
import itertools  # noqa: E402

from django.contrib.auth.models import AnonymousUser  # noqa: E402

from proposals.models import Assignment  # noqa: E402

WORKFLOW_ASSIGNED_ON = datetime.date(2024, 3, 4)  # a Monday, no holiday within any window that follows
WORKFLOW_ACKNOWLEDGED_ON = datetime.date(2024, 3, 5)
WORKFLOW_REPLIED_ON = datetime.date(2024, 5, 6)
WORKFLOW_FEEDBACK_ON = datetime.date(2024, 5, 7)
WORKFLOW_AFTER_FEEDBACK_WINDOW = datetime.date(2024, 7, 1)
_cast_numbers = itertools.count(1)


@dataclasses.dataclass
class Cast:
    """The people around one session's proposals, one for each role the services tell apart."""

    session: Session
    staff: object
    agency: Agency  # the lead agency of proposal_at()
    liaison: object
    co_agency: Agency  # the co-handler of proposal_at(co=True)
    co_liaison: object
    other_agency: Agency  # never assigned by proposal_at()
    other_liaison: object
    spare_agency: Agency  # where an upheld objection sends a proposal
    proposer: Proposer  # signs every proposal of proposal_at(), has a login
    proposer_user: object
    other_proposer: Proposer  # signs nothing, has a login
    other_proposer_user: object
    plain: object  # logged in, no role at all

    @property
    def anonymous(self):
        return AnonymousUser()

    def actor(self, role: str):
        """The user playing ``role``: staff, liaison, other_liaison, co_liaison, proposer,
        other_proposer, plain, anonymous."""
        return {
            "staff": self.staff, "liaison": self.liaison, "other_liaison": self.other_liaison,
            "co_liaison": self.co_liaison, "proposer": self.proposer_user,
            "other_proposer": self.other_proposer_user, "plain": self.plain, "anonymous": self.anonymous,
        }[role]


def quick_user(username: str, **fields):
    """A user with an unusable password: hashing a real one costs ~0.3 s, too slow for a matrix."""
    return UserFactory(username=username, password=None, **fields)  # make_password(None): unusable, no hashing


def quick_staff_user(username: str):
    group, _ = Group.objects.get_or_create(name=STAFF_GROUP)
    group.permissions.add(Permission.objects.get(codename="manage_workflow"))
    user = quick_user(username)
    user.groups.add(group)
    return user


def make_cast(session: Session | None = None) -> Cast:
    n = next(_cast_numbers)
    session = session or SessionFactory()
    committee = session.committee

    def liaison_of(agency, name):
        user = quick_user(f"{name}{n}")
        agency.liaisons.add(user)
        return user

    agency, co_agency, other_agency, spare_agency = (AgencyFactory() for _ in range(4))
    proposer_user = quick_user(f"proposer{n}")
    other_proposer_user = quick_user(f"otherproposer{n}")
    return Cast(
        session=session,
        staff=quick_staff_user(f"staff{n}"),
        agency=agency, liaison=liaison_of(agency, "liaison"),
        co_agency=co_agency, co_liaison=liaison_of(co_agency, "coliaison"),
        other_agency=other_agency, other_liaison=liaison_of(other_agency, "otherliaison"),
        spare_agency=spare_agency,
        proposer=ProposerFactory(committee=committee, user=proposer_user),
        proposer_user=proposer_user,
        other_proposer=ProposerFactory(committee=committee, user=other_proposer_user),
        other_proposer_user=other_proposer_user,
        plain=quick_user(f"plain{n}", is_staff=False),
    )


def reply_drafted(cast: Cast, assignment: Assignment, actor=None, **fields):
    """A draft reply (or co-handling opinion) of the assignment's agency, ready to submit. An
    ``internal_note`` is the committee's: staff add it to the draft, as the services require."""
    from replies import services as reply_services

    fields = {"title": "关于提案的答复", "body": "经研究,答复如下……", "classification": "A", **fields}
    note = fields.pop("internal_note", "")
    if assignment.role == Assignment.Role.CO:
        fields.pop("classification")
    reply = reply_services.reply_create(actor=actor or cast.staff, assignment=assignment, **fields)
    if note:
        reply = reply_services.reply_update(actor=cast.staff, reply=reply, internal_note=note)
    return reply


def reply_sent(cast: Cast, assignment: Assignment, on=WORKFLOW_REPLIED_ON, **fields):
    from replies import services as reply_services

    reply = reply_drafted(cast, assignment, **fields)
    return reply_services.reply_submit(actor=cast.staff, reply=reply, on=on)


def lead_assignment(proposal: Proposal) -> Assignment:
    return proposal.assignments.get(role=Assignment.Role.LEAD, status__in=Assignment.OPEN_STATUSES + (
        Assignment.Status.REPLIED, Assignment.Status.CLOSED))


def proposal_at(cast: Cast, status: str, *, co: bool = False, proposers=None, number: str = "") -> Proposal:
    """A proposal of ``cast.proposer`` brought to ``status`` through the services: assigned to
    ``cast.agency`` (and ``cast.co_agency`` with ``co``) on WORKFLOW_ASSIGNED_ON, replied on
    WORKFLOW_REPLIED_ON, rated 满意 on WORKFLOW_FEEDBACK_ON."""
    from proposals import services
    from replies import services as reply_services

    S = Proposal.Status
    proposal = services.proposal_create(actor=cast.staff, session=cast.session, title="关于改善城区交通的提案",
                                        proposers=proposers or [cast.proposer], body="建议……", number=number)
    if status == S.DRAFT:
        return proposal
    services.proposal_submit(actor=cast.staff, proposal=proposal)
    if status == S.SUBMITTED:
        return _fresh(proposal)
    if status == S.WITHDRAWN:
        return services.proposal_withdraw(actor=cast.staff, proposal=proposal, reason="提案人撤回")
    if status == S.NOT_FILED:
        return services.proposal_reject(actor=cast.staff, proposal=proposal, reason="不属于提案范围")
    if status == S.CONVERTED:
        return services.proposal_convert(actor=cast.staff, proposal=proposal, reason="转为社情民意")
    if status == S.MERGED:
        target = proposal_at(cast, S.FILED)
        return services.proposal_merge(actor=cast.staff, proposal=proposal, into=target, reason="内容相近")
    services.proposal_file(actor=cast.staff, proposal=proposal)
    if status == S.FILED:
        return _fresh(proposal)
    services.proposal_assign(actor=cast.staff, proposal=proposal, lead=cast.agency,
                             co=[cast.co_agency] if co else [], assigned_on=WORKFLOW_ASSIGNED_ON)
    if status == S.ASSIGNED:
        return _fresh(proposal)
    lead = lead_assignment(proposal)
    services.assignment_acknowledge(actor=cast.liaison, assignment=lead, on=WORKFLOW_ACKNOWLEDGED_ON)
    reply = reply_sent(cast, lead)
    if status == S.REPLIED:
        return _fresh(proposal)
    reply_services.feedback_give(actor=cast.staff, reply=reply, proposer=cast.proposer, rating="satisfied",
                                 on=WORKFLOW_FEEDBACK_ON)
    if status == S.CLOSED:
        return _fresh(proposal)
    raise ValueError(f"no way to {status}")


def assignment_at(cast: Cast, status: str) -> Assignment:
    """The lead assignment of a proposal_at() proposal, brought to ``status`` through the services."""
    from proposals import services
    from replies import services as reply_services

    A = Assignment.Status
    S = Proposal.Status
    if status == A.CANCELLED:
        proposal = proposal_at(cast, S.ASSIGNED)
        lead = lead_assignment(proposal)
        services.proposal_withdraw(actor=cast.staff, proposal=proposal, reason="提案人撤回")
        return _fresh(lead)
    if status == A.CLOSED:
        return _fresh(lead_assignment(proposal_at(cast, S.CLOSED)))
    if status == A.REPLIED:
        return _fresh(lead_assignment(proposal_at(cast, S.REPLIED)))
    lead = lead_assignment(proposal_at(cast, S.ASSIGNED))
    if status == A.ASSIGNED:
        return lead
    if status in (A.OBJECTED, A.REASSIGNED):
        services.assignment_object(actor=cast.liaison, assignment=lead, reason="不属于本单位职责",
                                   on=WORKFLOW_ACKNOWLEDGED_ON)
        if status == A.REASSIGNED:
            services.assignment_decide_objection(actor=cast.staff, assignment=lead, uphold=True,
                                                 new_agency=cast.spare_agency, note="改由其他单位办理",
                                                 on=WORKFLOW_ACKNOWLEDGED_ON)
        return _fresh(lead)
    services.assignment_acknowledge(actor=cast.liaison, assignment=lead, on=WORKFLOW_ACKNOWLEDGED_ON)
    if status == A.ACKNOWLEDGED:
        return _fresh(lead)
    if status == A.REHANDLING:
        reply = reply_sent(cast, lead)
        reply_services.feedback_give(actor=cast.staff, reply=reply, proposer=cast.proposer, rating="dissatisfied",
                                     comments="未解决实际问题", on=WORKFLOW_FEEDBACK_ON)
        return _fresh(lead)
    raise ValueError(f"no way to {status}")


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


class ReplyFactory(factory.django.DjangoModelFactory):
    """A reply row written directly (a stale draft, imported data); use replies.services for moves."""

    class Meta:
        model = "replies.Reply"

    assignment = None
    kind = factory.LazyAttribute(lambda o: "opinion" if o.assignment.role == Assignment.Role.CO else "reply")
    round = 1
    status = "draft"
    title = "关于提案的答复"
    body = "经研究,答复如下……"
    classification = "A"


# --- The admin (tests/proposals/test_admin*.py, tests/replies/test_admin.py): the demo groups
# give each role the model permissions its admin pages need.


def admin_cast(session: Session | None = None) -> Cast:
    """make_cast() with every user in its demo group (replies.demo.GROUP_PERMISSIONS)."""
    from replies.demo import LIAISON_GROUP, PROPOSER_GROUP, ensure_groups

    ensure_groups()
    cast = make_cast(session)
    liaisons, proposers = Group.objects.get(name=LIAISON_GROUP), Group.objects.get(name=PROPOSER_GROUP)
    for user in (cast.liaison, cast.co_liaison, cast.other_liaison):
        user.groups.add(liaisons)
    for user in (cast.proposer_user, cast.other_proposer_user):
        user.groups.add(proposers)
    return cast
