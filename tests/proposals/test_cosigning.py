"""Co-signing is an invitation (issue 8, finding A; ../shared/domain.md "Rules decided").

Found: a member could name any other member as the lead proposer of a proposal that member never
wrote. Now the member who drafts signs alone and is the lead proposer; the others are invited and
sign only by accepting within the window (3 working days by default); staff entering a paper
proposal list its proposers directly.
"""
import datetime

import pytest
from django.db import connection
from django.urls import reverse

from proposals import services
from proposals.models import CoSignInvitation, Event, Proposal, ProposalProposer
from proposals.selectors import is_proposal_visible, today
from proposals.services import ActionForbidden, InvalidInput, TransitionNotAllowed
from proposals.services import cosigning
from proposals.services.base import allowed
from tests.api_support import client_for
from tests.factories import ProposerFactory, SessionFactory, admin_cast, make_cast, proposal_at, quick_user
from tests.proposals.test_concurrency import _leave_the_database_as_found, race  # noqa: F401 - fixture

P = Proposal.Status
I = CoSignInvitation.Status  # noqa: E741
MONDAY = datetime.date(2024, 3, 4)  # no holiday in the 3 working days after it: due Thursday 2024-03-07
BEFORE_NATIONAL_DAY = datetime.date(2024, 9, 27)  # a Friday: 9-29 is a make-up working day, 10-1..7 are holidays


def member(cast, name):
    """Another member of the session's committee, with a login."""
    return ProposerFactory(committee=cast.session.committee, name=name, user=quick_user(f"{name}-{cast.session.pk}"))


def signers(proposal):
    return list(ProposalProposer.objects.filter(proposal=proposal).order_by("position")
                .values_list("proposer__name", flat=True))


def member_draft(cast, invite=(), **kwargs):
    return services.proposal_create(actor=cast.proposer_user, session=cast.session, title="关于建设社区食堂的提案",
                                    invite=list(invite), **kwargs)


def invitation(proposal, proposer):
    return CoSignInvitation.objects.get(proposal=proposal, proposer=proposer)


# --- the finding ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_member_cannot_name_another_member_as_the_lead_proposer(cast):
    with pytest.raises(ActionForbidden):
        services.proposal_create(actor=cast.proposer_user, session=cast.session, title="关于……的提案",
                                 proposers=[cast.other_proposer, cast.proposer])
    with pytest.raises(ActionForbidden):
        services.proposal_create(actor=cast.proposer_user, session=cast.session, title="关于……的提案",
                                 proposers=[cast.proposer, cast.other_proposer])
    assert not Proposal.objects.exists()


@pytest.mark.django_db
def test_through_the_api_either(cast):
    response = client_for(cast.proposer_user).post("/api/proposals/", {
        "session": cast.session.pk, "title": "关于……的提案", "proposers": [cast.other_proposer.pk, cast.proposer.pk]},
        format="json")
    assert response.status_code == 403 and "只能以本人名义起草提案" in response.json()["detail"]
    assert not Proposal.objects.exists()


@pytest.mark.django_db
def test_the_drafter_signs_alone_and_invites_the_others(cast):
    proposal = member_draft(cast, invite=[cast.other_proposer])
    assert signers(proposal) == [cast.proposer.name]
    sent = invitation(proposal, cast.other_proposer)
    assert (sent.status, sent.invited_on, sent.invited_by) == (I.INVITED, today(), cast.proposer_user)
    assert sent.due_on == cosigning.invitation_deadline(cast.session, today()).due_on > today()
    assert list(Event.objects.filter(proposal=proposal).values_list("action", "note")) == [
        ("create", ""), ("invite", cast.other_proposer.name)]


@pytest.mark.django_db
def test_staff_entering_a_paper_proposal_list_every_proposer_who_all_sign_at_once(cast):
    proposal = services.proposal_create(actor=cast.staff, session=cast.session, title="关于……的提案",
                                        proposers=[cast.other_proposer, cast.proposer])
    assert signers(proposal) == [cast.other_proposer.name, cast.proposer.name]
    assert not proposal.invitations.exists()
    with pytest.raises(InvalidInput) as error:
        services.proposal_create(actor=cast.staff, session=cast.session, title="关于……的提案", proposers=[])
    assert error.value.field == "proposers"


# --- the window ----------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("invited_on, rule, due_on", [
    (MONDAY, None, datetime.date(2024, 3, 7)),
    (BEFORE_NATIONAL_DAY, None, datetime.date(2024, 10, 8)),  # counts 9-29, skips the holidays
    (MONDAY, 1, datetime.date(2024, 3, 5)),  # the session's own rule
])
def test_the_window_is_counted_in_working_days(cast, invited_on, rule, due_on):
    if rule is not None:
        cast.session.cosign_working_days = rule
        cast.session.save()
    proposal = member_draft(cast)
    cosigning.cosign_invite(actor=cast.proposer_user, proposal=proposal, invitees=[cast.other_proposer],
                            on=invited_on)
    assert invitation(proposal, cast.other_proposer).due_on == due_on
    event = proposal.events.get(action="invite")
    assert event.data["due_on"] == due_on.isoformat() and "个工作日" in event.data["rule"]


# --- answers -------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_accepted_co_signers_sign_in_the_order_they_accept(cast):
    third = member(cast, "王五")
    proposal = member_draft(cast, invite=[cast.other_proposer, third])
    cosigning.cosign_accept(actor=third.user, proposal=proposal)
    cosigning.cosign_accept(actor=cast.other_proposer_user, proposal=proposal)
    assert signers(proposal) == [cast.proposer.name, third.name, cast.other_proposer.name]
    assert invitation(proposal, third).status == I.ACCEPTED
    assert invitation(proposal, third).responded_on == today()
    assert proposal.events.filter(action="cosign_accept").count() == 2
    assert third.name in Proposal.objects.get(pk=proposal.pk).search_text


@pytest.mark.django_db
def test_a_declined_invitation_makes_nobody_a_proposer(cast):
    proposal = member_draft(cast, invite=[cast.other_proposer])
    cosigning.cosign_decline(actor=cast.other_proposer_user, proposal=proposal)
    assert signers(proposal) == [cast.proposer.name]
    assert invitation(proposal, cast.other_proposer).status == I.DECLINED
    event = proposal.events.get(action="cosign_decline")
    assert (event.actor, event.note) == (cast.other_proposer_user, cast.other_proposer.name)
    with pytest.raises(TransitionNotAllowed):
        cosigning.cosign_accept(actor=cast.other_proposer_user, proposal=proposal)
    with pytest.raises(InvalidInput) as error:  # a refusal is final for this draft
        cosigning.cosign_invite(actor=cast.proposer_user, proposal=proposal, invitees=[cast.other_proposer])
    assert error.value.field == "invite"


@pytest.mark.django_db
def test_only_the_invited_member_answers(cast):
    proposal = member_draft(cast, invite=[cast.other_proposer])
    for actor in (cast.proposer_user, cast.staff, cast.liaison, cast.plain, member(cast, "赵六").user):
        for answer in (cosigning.cosign_accept, cosigning.cosign_decline):
            with pytest.raises(ActionForbidden):
                answer(actor=actor, proposal=proposal)
    assert invitation(proposal, cast.other_proposer).status == I.INVITED


@pytest.mark.django_db
def test_an_answer_after_the_window_is_refused_and_the_expiry_recorded(cast):
    proposal = member_draft(cast)
    cosigning.cosign_invite(actor=cast.proposer_user, proposal=proposal, invitees=[cast.other_proposer], on=MONDAY)
    with pytest.raises(TransitionNotAllowed) as error:
        cosigning.cosign_accept(actor=cast.other_proposer_user, proposal=proposal, on=datetime.date(2024, 3, 8))
    assert "2024-03-07" in str(error.value.message)
    assert invitation(proposal, cast.other_proposer).status == I.EXPIRED
    expired = proposal.events.get(action="cosign_expire")
    assert (expired.actor, expired.note) == (None, cast.other_proposer.name)
    assert signers(proposal) == [cast.proposer.name]


@pytest.mark.django_db
def test_the_last_day_of_the_window_still_counts(cast):
    proposal = member_draft(cast)
    cosigning.cosign_invite(actor=cast.proposer_user, proposal=proposal, invitees=[cast.other_proposer], on=MONDAY)
    cosigning.cosign_accept(actor=cast.other_proposer_user, proposal=proposal, on=datetime.date(2024, 3, 7))
    assert signers(proposal) == [cast.proposer.name, cast.other_proposer.name]


@pytest.mark.django_db
def test_an_expired_invitation_may_be_sent_again(cast):
    proposal = member_draft(cast)
    cosigning.cosign_invite(actor=cast.proposer_user, proposal=proposal, invitees=[cast.other_proposer], on=MONDAY)
    cosigning.cosign_invite(actor=cast.proposer_user, proposal=proposal, invitees=[cast.other_proposer])
    again = invitation(proposal, cast.other_proposer)
    assert (again.status, again.invited_on) == (I.INVITED, today())
    assert list(proposal.events.filter(action__in=["invite", "cosign_expire"]).values_list("action", flat=True)) \
        == ["invite", "cosign_expire", "invite"]
    cosigning.cosign_accept(actor=cast.other_proposer_user, proposal=proposal)
    assert signers(proposal) == [cast.proposer.name, cast.other_proposer.name]


# --- who invites whom ----------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_drafter_and_staff_invite_nobody_else(cast):
    third = member(cast, "王五")
    proposal = member_draft(cast, invite=[cast.other_proposer])
    cosigning.cosign_accept(actor=cast.other_proposer_user, proposal=proposal)
    for actor in (cast.other_proposer_user, cast.liaison, cast.plain):  # a co-signer is not the drafter
        assert not allowed(cosigning.check_cosign_invite, actor, proposal)
        with pytest.raises(ActionForbidden):
            cosigning.cosign_invite(actor=actor, proposal=proposal, invitees=[third])
    assert allowed(cosigning.check_cosign_invite, cast.staff, Proposal.objects.get(pk=proposal.pk))
    cosigning.cosign_invite(actor=cast.staff, proposal=proposal, invitees=[third])
    assert invitation(proposal, third).invited_by == cast.staff


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["twice", "signer", "drafter", "no_login", "elsewhere", "pending", "nobody"])
def test_bad_invitations_are_refused_on_the_field_invite(cast, who):
    proposal = member_draft(cast, invite=[cast.other_proposer])
    invitees = {
        "twice": lambda: [member(cast, "王五")] * 2,
        "signer": lambda: [cast.proposer],
        "drafter": lambda: [cast.proposer],
        "no_login": lambda: [ProposerFactory(committee=cast.session.committee, name="民进测试市委")],
        "elsewhere": lambda: [make_cast(SessionFactory()).proposer],
        "pending": lambda: [cast.other_proposer],
        "nobody": lambda: [],
    }[who]()
    with pytest.raises(InvalidInput) as error:
        cosigning.cosign_invite(actor=cast.proposer_user, proposal=proposal, invitees=invitees)
    assert error.value.field == "invite" and str(error.value.message)
    assert proposal.invitations.count() == 1


@pytest.mark.django_db
def test_a_bad_invitation_on_create_writes_nothing(cast):
    with pytest.raises(InvalidInput) as error:
        member_draft(cast, invite=[ProposerFactory(committee=cast.session.committee, name="无账号委员")])
    assert error.value.field == "invite"
    assert not Proposal.objects.exists() and not Event.objects.exists()


# --- submission and the draft's life -------------------------------------------------------------

@pytest.mark.django_db
def test_submission_waits_for_open_invitations(cast):
    proposal = member_draft(cast, invite=[cast.other_proposer])
    assert not allowed(services.proposals.check_submit, cast.proposer_user, proposal)
    with pytest.raises(TransitionNotAllowed) as error:
        services.proposal_submit(actor=cast.proposer_user, proposal=proposal)
    assert cast.other_proposer.name in str(error.value.message)
    assert Proposal.objects.get(pk=proposal.pk).status == P.DRAFT
    cosigning.cosign_decline(actor=cast.other_proposer_user, proposal=proposal)
    services.proposal_submit(actor=cast.proposer_user, proposal=proposal)
    assert Proposal.objects.get(pk=proposal.pk).status == P.SUBMITTED


@pytest.mark.django_db
def test_submission_records_the_invitations_past_their_window_as_expired(cast):
    third = member(cast, "王五")
    proposal = member_draft(cast)
    cosigning.cosign_invite(actor=cast.proposer_user, proposal=proposal, invitees=[cast.other_proposer, third],
                            on=MONDAY)
    cosigning.cosign_accept(actor=third.user, proposal=proposal, on=MONDAY)
    services.proposal_submit(actor=cast.proposer_user, proposal=proposal)
    assert invitation(proposal, cast.other_proposer).status == I.EXPIRED
    assert invitation(proposal, third).status == I.ACCEPTED
    actions = list(proposal.events.values_list("action", flat=True))
    assert actions[-2:] == ["cosign_expire", "submit"]
    assert signers(proposal) == [cast.proposer.name, third.name]


@pytest.mark.django_db
def test_invitations_exist_only_while_the_proposal_is_a_draft(cast):
    third = member(cast, "王五")
    proposal = member_draft(cast)
    services.proposal_submit(actor=cast.proposer_user, proposal=proposal)
    with pytest.raises(TransitionNotAllowed):
        cosigning.cosign_invite(actor=cast.proposer_user, proposal=proposal, invitees=[third])
    withdrawn = member_draft(cast, invite=[cast.other_proposer])
    services.proposal_withdraw(actor=cast.proposer_user, proposal=withdrawn)
    with pytest.raises(TransitionNotAllowed):
        cosigning.cosign_accept(actor=cast.other_proposer_user, proposal=withdrawn)
    assert signers(withdrawn) == [cast.proposer.name]


# --- who sees the draft --------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_invited_member_sees_the_draft_while_the_invitation_is_open(cast):
    stranger = member(cast, "赵六")
    proposal = member_draft(cast, invite=[cast.other_proposer])
    assert is_proposal_visible(cast.other_proposer_user, proposal)
    assert not is_proposal_visible(stranger.user, proposal)
    cosigning.cosign_decline(actor=cast.other_proposer_user, proposal=proposal)
    assert not is_proposal_visible(cast.other_proposer_user, proposal)


@pytest.mark.django_db
def test_an_invitation_past_its_window_no_longer_shows_the_draft(cast):
    proposal = member_draft(cast)
    cosigning.cosign_invite(actor=cast.proposer_user, proposal=proposal, invitees=[cast.other_proposer], on=MONDAY)
    assert invitation(proposal, cast.other_proposer).status == I.INVITED  # not recorded yet
    assert not is_proposal_visible(cast.other_proposer_user, proposal)


@pytest.mark.django_db
def test_a_co_signer_who_accepted_follows_the_proposal(cast):
    proposal = member_draft(cast, invite=[cast.other_proposer])
    cosigning.cosign_accept(actor=cast.other_proposer_user, proposal=proposal)
    services.proposal_submit(actor=cast.proposer_user, proposal=proposal)
    assert is_proposal_visible(cast.other_proposer_user, proposal)


# --- the API -------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_api_draft_with_invitations_then_accept(cast):
    drafter, invited = client_for(cast.proposer_user), client_for(cast.other_proposer_user)
    response = drafter.post("/api/proposals/", {"session": cast.session.pk, "title": "关于建设社区食堂的提案",
                                                 "invite": [cast.other_proposer.pk]}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert [p["proposer"]["id"] for p in body["proposers"]] == [cast.proposer.pk]
    [sent] = body["invitations"]
    assert (sent["proposer"]["id"], sent["status"], sent["status_label"], sent["is_open"]) == (
        cast.other_proposer.pk, "invited", "待确认", True)
    url = f"/api/proposals/{body['id']}/"
    assert invited.get(url).json()["invitations"][0]["status"] == "invited"
    response = invited.post(url + "accept-invitation/")
    assert response.status_code == 200, response.content
    assert [p["proposer"]["id"] for p in response.json()["proposers"]] == [cast.proposer.pk, cast.other_proposer.pk]
    assert response.json()["invitations"][0]["status"] == "accepted"
    assert drafter.post(url + "submit/").status_code == 200


@pytest.mark.django_db
def test_api_invite_and_decline(cast):
    proposal = member_draft(cast)
    url = f"/api/proposals/{proposal.pk}/"
    response = client_for(cast.proposer_user).post(url + "invite/", {"invite": [cast.other_proposer.pk]},
                                                   format="json")
    assert response.status_code == 200, response.content
    assert [i["proposer"]["name"] for i in response.json()["invitations"]] == [cast.other_proposer.name]
    response = client_for(cast.other_proposer_user).post(url + "decline-invitation/")
    assert response.status_code == 200  # the draft left the member's sight with the refusal
    assert response.json() == {"id": proposal.pk}
    assert invitation(proposal, cast.other_proposer).status == I.DECLINED
    assert client_for(cast.other_proposer_user).get(url).status_code == 404


@pytest.mark.django_db
def test_api_refusals_are_readable(cast):
    proposal = member_draft(cast, invite=[cast.other_proposer])
    url = f"/api/proposals/{proposal.pk}/"
    response = client_for(cast.proposer_user).post(url + "invite/", {"invite": [cast.other_proposer.pk]},
                                                   format="json")
    assert response.status_code == 400 and "已受邀" in response.json()["invite"][0]
    response = client_for(cast.proposer_user).post(url + "submit/")
    assert response.status_code == 400 and response.json()["code"] == "transition_not_allowed"
    stranger = member(cast, "赵六")
    assert client_for(stranger.user).post(url + "accept-invitation/").status_code == 404
    assert client_for(None).post(url + "accept-invitation/").status_code == 401
    response = client_for(cast.other_proposer_user).post(url + "invite/", {"invite": [stranger.pk]}, format="json")
    assert response.status_code == 403


@pytest.mark.django_db
def test_api_a_late_answer_is_told_and_leaves_the_expiry_recorded(cast):
    proposal = member_draft(cast)
    cosigning.cosign_invite(actor=cast.proposer_user, proposal=proposal, invitees=[cast.other_proposer], on=MONDAY)
    response = client_for(cast.other_proposer_user).post(f"/api/proposals/{proposal.pk}/accept-invitation/")
    assert response.status_code == 400, response.content
    assert "2024-03-07" in response.json()["detail"]
    assert invitation(proposal, cast.other_proposer).status == I.EXPIRED
    assert proposal.events.filter(action="cosign_expire").count() == 1


@pytest.mark.django_db
def test_api_the_invitations_of_a_paper_proposal_are_an_empty_list(cast):
    proposal = proposal_at(cast, P.SUBMITTED)
    assert client_for(cast.staff).get(f"/api/proposals/{proposal.pk}/").json()["invitations"] == []


@pytest.mark.django_db
def test_api_schema_documents_the_invitation_actions(cast):
    schema = client_for(cast.staff).get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for action in ("invite", "accept-invitation", "decline-invitation"):
        operation = paths[f"/api/proposals/{{id}}/{action}/"]["post"]
        assert operation["summary"] and "400" in operation["responses"]
    create = schema["components"]["schemas"]["ProposalCreateRequest"]["properties"]
    assert "invite" in create and create["proposers"]["description"]


# --- the admin -----------------------------------------------------------------------------------

@pytest.fixture
def acast(db):
    return admin_cast()


def buttons(client, proposal):
    response = client.get(reverse("admin:proposals_proposal_change", args=[proposal.pk]))
    assert response.status_code == 200
    return {b["name"] for b in response.context["workflow_buttons"]}, response


def step(client, proposal, name, data=None):
    return client.post(reverse("admin:proposals_proposal_step", args=[proposal.pk, name]), data or {})


@pytest.mark.django_db
def test_admin_a_member_drafts_and_invites_the_co_signers_named(client, acast):
    client.force_login(acast.proposer_user)
    response = client.post(reverse("admin:proposals_proposal_add"), {
        "session": acast.session.pk, "title": "关于建设社区食堂的提案", "invite": acast.other_proposer.name,
        "lead_proposer": acast.other_proposer.pk})  # the drafter is the lead proposer whatever is posted
    assert response.status_code == 302
    proposal = Proposal.objects.get(title="关于建设社区食堂的提案")
    assert signers(proposal) == [acast.proposer.name]
    assert invitation(proposal, acast.other_proposer).status == I.INVITED
    names, page = buttons(client, proposal)
    assert "invite" in names and "submit" not in names
    assert "tracker-invitations" in page.content.decode()


@pytest.mark.django_db
def test_admin_the_invited_member_accepts_on_the_proposals_page(client, acast):
    proposal = member_draft(acast, invite=[acast.other_proposer])
    client.force_login(acast.other_proposer_user)
    names, page = buttons(client, proposal)
    assert {"accept_invitation", "decline_invitation"} <= names and "invite" not in names
    assert acast.other_proposer.name in page.content.decode()
    assert step(client, proposal, "accept_invitation").status_code == 302
    assert signers(proposal) == [acast.proposer.name, acast.other_proposer.name]
    names, _ = buttons(client, proposal)
    assert not {"accept_invitation", "decline_invitation"} & names


@pytest.mark.django_db
def test_admin_the_drafter_invites_from_the_proposals_page(client, acast):
    proposal = member_draft(acast)
    client.force_login(acast.proposer_user)
    response = step(client, proposal, "invite", {"invite": "查无此人"})
    assert response.status_code == 400 and "查无此人" in response.content.decode()
    assert step(client, proposal, "invite", {"invite": acast.other_proposer.name}).status_code == 302
    assert invitation(proposal, acast.other_proposer).status == I.INVITED
    client.force_login(acast.other_proposer_user)
    _, page = buttons(client, proposal)
    [decline] = [b["url"] for b in page.context["workflow_buttons"] if b["name"] == "decline_invitation"]
    form_page = client.get(decline)  # the step's page carries where it leads
    response = client.post(decline, {"next": form_page.context["next"]})
    assert response.status_code == 302  # to the list: the draft has left the member's sight
    assert response["Location"] == reverse("admin:proposals_proposal_changelist")
    assert invitation(proposal, acast.other_proposer).status == I.DECLINED


@pytest.mark.django_db
def test_admin_staff_still_enter_paper_proposals_with_every_proposer(client, acast):
    client.force_login(acast.staff)
    response = client.post(reverse("admin:proposals_proposal_add"), {
        "session": acast.session.pk, "title": "纸质提案", "lead_proposer": acast.other_proposer.pk,
        "co_proposers": acast.proposer.name})
    assert response.status_code == 302
    proposal = Proposal.objects.get(title="纸质提案")
    assert signers(proposal) == [acast.other_proposer.name, acast.proposer.name]
    assert not proposal.invitations.exists()


# --- real concurrent connections (PostgreSQL) ----------------------------------------------------

@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs PostgreSQL row locks and concurrent connections (DATABASE_URL=postgres://…)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_co_signers_accepting_at_once_both_sign_one_after_the_other():
    cast = make_cast()
    third = member(cast, "王五")
    proposal = member_draft(cast, invite=[cast.other_proposer, third])
    results = race(lambda: cosigning.cosign_accept(actor=cast.other_proposer_user, proposal=proposal),
                   lambda: cosigning.cosign_accept(actor=third.user, proposal=proposal))
    assert [kind for kind, _ in results] == ["ok", "ok"], results
    assert sorted(ProposalProposer.objects.filter(proposal=proposal).values_list("position", flat=True)) == [0, 1, 2]
    assert set(signers(proposal)[1:]) == {cast.other_proposer.name, third.name}


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs PostgreSQL row locks and concurrent connections (DATABASE_URL=postgres://…)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_acceptance_and_a_submission_at_once_never_submit_an_unanswered_draft():
    cast = make_cast()
    proposal = member_draft(cast, invite=[cast.other_proposer])
    results = race(lambda: cosigning.cosign_accept(actor=cast.other_proposer_user, proposal=proposal),
                   lambda: services.proposal_submit(actor=cast.proposer_user, proposal=proposal))
    fresh = Proposal.objects.get(pk=proposal.pk)
    if fresh.status == P.SUBMITTED:  # the acceptance came first
        assert results[0][0] == "ok" and signers(proposal) == [cast.proposer.name, cast.other_proposer.name]
    else:  # the submission was refused: the invitation was still open
        assert isinstance(results[1][1], TransitionNotAllowed)
        assert invitation(proposal, cast.other_proposer).status == I.ACCEPTED
