"""The portal's pages: what each shows, that it answers anonymous visitors, and that its number
of queries does not grow with the data."""
import dataclasses

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from proposals.models import Session
from replies.models import Reply
from tests.api_support import bulk_proposals
from tests.factories import make_cast
from tests.portal.world import PUBLIC_DOC_NUMBER, PUBLIC_TITLE


def test_home_answers_at_the_root_with_search_latest_replies_and_browsing(client, world):
    response = client.get("/")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'lang="zh-Hans"' in text and "政协提案办理公开平台" in text
    assert 'action="/search/"' in text and 'name="q"' in text
    assert PUBLIC_TITLE in text and f'href="/replies/{world.public_reply.pk}/"' in text
    assert f'href="/sessions/{world.cast.session.pk}/"' in text  # the current session's report
    assert f'href="/agencies/{world.cast.agency.pk}/"' in text and "教育" in text  # browse by agency, topic
    assert 'href="/my/"' in text and "委员登录" in text and 'id="content"' in text


def test_a_signed_in_visitor_is_offered_the_workspace_not_the_login(client, world):
    client.force_login(world.cast.proposer_user)
    text = client.get("/").content.decode()
    assert 'href="/my/"' in text and "我的工作台" in text and "委员登录" not in text


def test_every_page_has_the_chrome_and_no_inline_script(client, world):
    urls = ["/", "/search/?q=双减", f"/replies/{world.public_reply.pk}/", f"/agencies/{world.cast.agency.pk}/",
            f"/sessions/{world.cast.session.pk}/", "/agencies/", "/sessions/", "/data/"]
    for url in urls:
        response = client.get(url)
        text = response.content.decode()
        assert response.status_code == 200, url
        assert "<script" not in text, url
        assert 'class="skip-link" href="#content"' in text and "<main" in text and "<footer" in text
        assert "/static/portal/site.css" in text
        assert "script-src" in response["Content-Security-Policy"] and "unsafe-inline" not in \
            response["Content-Security-Policy"].split("script-src")[1].split(";")[0]


def test_reply_page_shows_the_letter_the_proposal_and_the_public_timeline(client, world):
    text = client.get(f"/replies/{world.public_reply.pk}/").content.decode()
    assert PUBLIC_DOC_NUMBER in text and "2024-05-06" in text  # document number, signature date
    assert "<p>一、工作开展情况</p>" in text and "<p>此复。</p>" in text  # paragraphs as written
    assert PUBLIC_TITLE in text and world.cast.proposer.name in text and world.cast.session.committee.name in text
    assert world.cast.co_agency.name in text  # co-handling agency
    for step in ("提交", "立案", "交办", "答复", "公开答复"):
        assert step in text
    assert "2024-03-04" in text  # assigned on, a date only


def test_reply_page_shows_where_an_imported_letter_was_published(client, world):
    from django.utils import timezone

    from replies.models import SourceDocument

    SourceDocument.objects.create(
        file_name="x.txt", sha256="a" * 64, text="…", kind="reply", reply=world.public_reply,
        imported_at=timezone.now(),
        parsed={"issuing_body": "示范市教育局", "published_on": "2024-05-07",
                "source_url": "https://www.example.gov.cn/zwgk/1.html"})
    text = client.get(f"/replies/{world.public_reply.pk}/").content.decode()
    assert "示范市教育局" in text and "2024-05-07" in text and 'href="https://www.example.gov.cn/zwgk/1.html"' in text


def test_agency_page_has_scorecard_charts_table_and_replies(client, world):
    text = client.get(f"/agencies/{world.cast.agency.pk}/").content.decode()
    assert world.cast.agency.name in text and PUBLIC_TITLE in text
    assert "<table>" in text and "办复率" in text and "按期办复率" in text and "平均办复工作日" in text
    assert f'href="/agencies/{world.cast.agency.pk}/scorecard.csv"' in text


def test_figures_and_charts_appear_once_a_group_is_large_enough(client, db):
    cast = bulk_proposals(12)
    text = client.get(f"/agencies/{cast.agency.pk}/").content.decode()
    assert text.count('role="img"') >= 3 and "<title id=" in text  # rates over sessions, days, A/B/C mix
    assert "100.0%" in text
    session_text = client.get(f"/sessions/{cast.session.pk}/").content.decode()
    assert session_text.count('role="img"') >= 3 and "各承办单位办复率" in session_text
    assert cast.agency.name in session_text


def test_small_groups_show_no_figures(client, world):
    """Two public proposals: replies.stats suppresses the figures for an anonymous reader."""
    text = client.get(f"/sessions/{world.cast.session.pk}/").content.decode()
    assert "提案少于5件" in text and 'role="img"' not in text


def test_session_and_agency_lists(client, world):
    sessions = client.get("/sessions/").content.decode()
    assert world.cast.session.label in sessions and f'href="/sessions/{world.cast.session.pk}/"' in sessions
    agencies = client.get("/agencies/").content.decode()
    assert world.cast.agency.name in agencies
    assert world.cast.other_agency.name not in agencies  # no published reply
    assert "找不到" not in client.get("/agencies/", {"q": world.cast.agency.name}).content.decode()


def test_admin_view_site_link_lands_on_the_portal(admin_client):
    from django.contrib import admin

    assert str(admin.site.site_url) == "/"
    text = admin_client.get("/admin/").content.decode()
    assert 'href="/"' in text


# --- queries per page: the same at two sizes of data ----------------------------------------------

def page_urls(cast) -> dict:
    reply = Reply.objects.filter(assignment__agency=cast.agency, status="published").order_by("pk").first()
    return {
        "home": "/", "browse": "/search/", "search": "/search/?q=第1",
        "search_filtered": f"/search/?q=第1&agency_id={cast.agency.pk}&year=2024&classification=A",
        "reply": f"/replies/{reply.pk}/", "agency": f"/agencies/{cast.agency.pk}/",
        "session": f"/sessions/{cast.session.pk}/", "agencies": "/agencies/", "sessions": "/sessions/",
        "feed": "/feeds/replies/",
    }


def queries_per_page(client, cast) -> dict:
    counts = {}
    for name, url in page_urls(cast).items():
        client.get(url)  # warm: content types, translations
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(ctx.captured_queries)
        if name.startswith("search"):
            assert response.context["page"].paginator.count > 0, name
    return counts


@pytest.mark.django_db
@pytest.mark.parametrize("cache_seconds", [300, 0], ids=["cached", "uncached"])
def test_queries_per_page_do_not_grow_with_the_data(client, settings, cache_seconds):
    """With the figures cached (as visitors get them) and without (the first visitor after expiry)."""
    settings.PORTAL_CACHE_SECONDS = cache_seconds
    cache.clear()
    cast = make_cast()
    bulk_proposals(3, cast)
    small = queries_per_page(client, cast)
    # More than a page of results, more than MIN_PUBLIC_GROUP per group, a second session.
    bulk_proposals(40, dataclasses.replace(cast, session=Session.objects.create(
        committee=cast.session.committee, term=6, number=99, year=2024)))
    cache.clear()
    large = queries_per_page(client, cast)
    assert small == large
    assert max(large.values()) <= (10 if cache_seconds else 16), large


def test_page_numbers_past_the_end_show_the_last_page(client, db):
    cast = bulk_proposals(25)
    response = client.get("/search/", {"page": "999"})
    assert response.status_code == 200 and response.context["page"].number == 2
    assert response.context["page"].paginator.count == 25
    assert 'rel="prev"' in response.content.decode()
