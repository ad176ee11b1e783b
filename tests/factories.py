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
    region = factory.LazyAttribute(lambda o: o.name.removesuffix("政协"))


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
