"""Groups, demo users and a demo committee so a fresh install can be walked through at once.

Idempotent: running it again changes nothing that exists.
"""
import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from proposals.roles import STAFF_GROUP

LIAISON_GROUP = "承办单位联络员"
PROPOSER_GROUP = "提案人"

DEMO_PASSWORD = "demo12345"
DEMO_USERS = {
    "staff": ("提案委员会工作人员", STAFF_GROUP),
    "liaison": ("承办单位联络员(示范市教育局)", LIAISON_GROUP),
    "member": ("提案人(示范委员)", PROPOSER_GROUP),
}

_VIEW_ALL = [
    "view_committee", "view_session", "view_proposer", "view_agency", "view_agencyalias", "view_proposal",
    "view_proposalproposer", "view_assignment", "view_contactlog", "view_event", "view_supervisionlog",
    "view_calendarday", "view_reply", "view_feedback", "view_referencedocument",
]
GROUP_PERMISSIONS = {
    STAFF_GROUP: None,  # every permission of the tracker's apps, plus tokens
    LIAISON_GROUP: _VIEW_ALL + ["add_reply", "change_reply", "add_contactlog"],
    PROPOSER_GROUP: _VIEW_ALL + ["add_proposal", "change_proposal", "add_feedback"],
}


def ensure_groups():
    for name, codenames in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        if codenames is None:
            perms = Permission.objects.filter(content_type__app_label__in=["proposals", "replies", "authtoken"])
        else:
            perms = Permission.objects.filter(
                content_type__app_label__in=["proposals", "replies"], codename__in=codenames)
        group.permissions.add(*perms)


def ensure_demo():
    """Demo users (one per role) and a small demo committee, created once."""
    from proposals import services
    from proposals.models import Agency, Committee, Proposer, Session

    ensure_groups()
    User = get_user_model()
    users = {}
    for username, (full_name, group_name) in DEMO_USERS.items():
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": full_name,
                                                                                "is_staff": True})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.add(Group.objects.get(name=group_name))
        users[username] = User.objects.get(pk=user.pk)  # fresh permission cache
    if Committee.objects.filter(name="示范市政协").exists():
        return users
    with transaction.atomic():
        committee = Committee.objects.create(name="示范市政协", region="示范市", level=Committee.Level.CITY)
        session = Session.objects.create(committee=committee, term=1, number=1, year=datetime.date.today().year)
        agency = Agency.objects.create(name="示范市教育局", region="示范市", level=Agency.Level.CITY)
        agency.aliases.create(name="市教育局")
        co_agency = Agency.objects.create(name="示范市财政局", region="示范市", level=Agency.Level.CITY)
        agency.liaisons.add(users["liaison"])
        member = Proposer.objects.create(committee=committee, name="示范委员", user=users["member"])
        other = Proposer.objects.create(committee=committee, name="民进示范市委", kind=Proposer.Kind.PARTY)
        staff = users["staff"]

        draft = services.proposal_create(actor=users["member"], session=session, proposers=[member],
                                         title="关于推进城乡义务教育一体化的提案", body="建议……")
        services.proposal_submit(actor=users["member"], proposal=draft)

        handled = services.proposal_create(actor=staff, session=session, proposers=[other, member],
                                           title="关于落实双减政策提高教育质量的提案", body="建议……")
        services.proposal_submit(actor=staff, proposal=handled)
        services.proposal_file(actor=staff, proposal=handled)
        services.proposal_assign(actor=staff, proposal=handled, lead=agency, co=[co_agency])

        # One proposal past its reply deadline, so the dashboard and the overdue lists show something.
        late = services.proposal_create(actor=staff, session=session, proposers=[member],
                                        title="关于改善乡村学校寄宿条件的提案", body="建议……")
        services.proposal_submit(actor=staff, proposal=late)
        services.proposal_file(actor=staff, proposal=late)
        services.proposal_assign(actor=staff, proposal=late, lead=agency,
                                 assigned_on=datetime.date.today() - datetime.timedelta(days=120))
        services.assignment_acknowledge(actor=users["liaison"], assignment=late.assignments.get())
    return users
