"""No field the visibility policy withholds from the public reaches any portal page: every page,
feed and CSV of the portal is rendered for a world holding each withheld kind of value
(tests/portal/world.py: SECRETS), and none of those values may appear in any of them."""
from urllib.parse import quote

import pytest

from tests.portal.world import PUBLIC_DOC_NUMBER, PUBLIC_TITLE, SECRETS


def body_of(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8")
    return response.content.decode("utf-8")


def portal_urls(world) -> list[str]:
    cast = world.cast
    agencies = [cast.agency, cast.co_agency, cast.other_agency, cast.spare_agency]
    urls = ["/", "/search/", f"/search/?q={quote('双减')}", f"/search/?q={quote('雙減 學生')}",
            f"/search/?q={quote(PUBLIC_DOC_NUMBER)}", "/search/?classification=A", "/search/?year=2024",
            f"/search/?session_id={cast.session.pk}", f"/search/?committee_id={cast.session.committee_id}",
            f"/search/?topic={quote('教育')}", "/agencies/", f"/agencies/?q={quote(cast.agency.name)}", "/sessions/",
            f"/sessions/{cast.session.pk}/", f"/sessions/{cast.session.pk}/report.csv", "/data/",
            "/data/replies.csv", f"/data/replies.csv?q={quote('双减')}", "/data/agencies.csv", "/data/sessions.csv",
            "/feeds/replies/", "/feeds/replies.rss"]
    for agency in agencies:
        urls += [f"/agencies/{agency.pk}/", f"/agencies/{agency.pk}/scorecard.csv",
                 f"/search/?agency_id={agency.pk}", f"/data/replies.csv?agency_id={agency.pk}"]
    urls += [f"/replies/{reply.pk}/" for reply in (world.public_reply, world.second_reply)]
    return urls


def test_no_withheld_value_reaches_any_portal_page(client, world):
    pages = {}
    for url in portal_urls(world):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        pages[url] = body_of(response)
    for url, text in pages.items():
        for name, secret in SECRETS.items():
            assert secret not in text, f"{name} ({secret}) leaks on {url}"
        for proposal in world.hidden_proposals:
            assert proposal.title not in text, f"non-public proposal {proposal.title} on {url}"
        for reply in world.hidden_replies:
            if reply.body:
                assert reply.body not in text, f"non-public reply {reply.pk} on {url}"
    # The control: the public reply itself is shown, so the pages above did render the data.
    reply_page = pages[f"/replies/{world.public_reply.pk}/"]
    assert PUBLIC_TITLE in reply_page and PUBLIC_DOC_NUMBER in reply_page and world.cast.proposer.name in reply_page
    assert PUBLIC_TITLE in pages["/"] and PUBLIC_TITLE in pages["/feeds/replies/"]
    assert PUBLIC_TITLE in pages["/data/replies.csv"]


def test_non_public_replies_have_no_page(client, world):
    for reply in world.hidden_replies:
        response = client.get(f"/replies/{reply.pk}/")
        assert response.status_code == 404
        text = response.content.decode()
        assert reply.body not in text and "页面不存在" in text


@pytest.mark.parametrize("name", ["proposer_phone", "proposer_email", "internal_note", "rating_comments",
                                  "objection_reason", "extension_reason", "not_public_reply", "draft_title"])
def test_searching_for_a_withheld_value_finds_nothing(client, world, name):
    response = client.get("/search/", {"q": SECRETS[name]})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    csv_text = body_of(client.get("/data/replies.csv", {"q": SECRETS[name]}))
    assert len(csv_text.strip().splitlines()) == 1  # the headers alone


def test_a_logged_in_staff_member_sees_the_public_view(client, world):
    """The portal reads as an anonymous visitor whoever is logged in: staff get no more there."""
    client.force_login(world.cast.staff)
    for url in ("/", f"/replies/{world.public_reply.pk}/", f"/agencies/{world.cast.agency.pk}/"):
        text = body_of(client.get(url))
        for secret in SECRETS.values():
            assert secret not in text
    assert client.get(f"/replies/{world.hidden_replies[0].pk}/").status_code == 404
