"""The public portal in a real browser: an anonymous visitor searches in Traditional characters,
finds the reply written in Simplified ones and opens it, then its agency's scorecard and the
session report; the language switch and the keyboard work. Screenshots of each page at 390 px and
1366 px go to artifacts/screenshots/ (tests/browser/conftest.py)."""
from tests.api_support import bulk_proposals
from tests.browser.conftest import screenshot
from tests.portal.world import PUBLIC_DOC_NUMBER, PUBLIC_TITLE, build_portal_world


def test_an_anonymous_visitor_finds_a_reply_by_searching_in_traditional_characters(page, transactional_db):
    world = build_portal_world()
    bulk_proposals(12, world.cast)  # enough replies per agency and session for the figures and charts
    page.goto("/")
    assert page.title() == "政协提案办理公开平台"
    assert page.locator("h1").inner_text() == "政协提案办理公开平台"
    screenshot(page, "portal-home")
    page.keyboard.press("Tab")  # the first stop is the skip link, shown when focused
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").bounding_box()["x"] >= 0

    page.fill("#home-q", "雙減")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=*")
    assert "找到 1 件已公开答复的提案" in page.locator("#results-heading").inner_text()
    result = page.locator("ol.cards li").first
    assert result.locator("mark").first.inner_text() == "双减"
    screenshot(page, "portal-search")

    result.locator("h3 a").click()
    page.wait_for_url(f"**/replies/{world.public_reply.pk}/")
    assert page.locator("h1").inner_text() == "关于双减提案的答复"
    facts = page.locator("article dl.facts").inner_text()
    assert PUBLIC_DOC_NUMBER in facts and "2024-05-06" in facts
    assert PUBLIC_TITLE in page.locator("#proposal-heading + dl").inner_text()
    assert page.locator(".letter-body p").count() == 5
    screenshot(page, "portal-reply")

    page.locator("article dl.facts a").first.click()  # the agency
    page.wait_for_url(f"**/agencies/{world.cast.agency.pk}/")
    assert page.locator("svg[role=img]").count() >= 3
    assert page.locator("table caption").first.inner_text() == "各次会议的办理情况"
    screenshot(page, "portal-agency")

    page.goto(f"/sessions/{world.cast.session.pk}/")
    assert page.locator("svg[role=img]").count() >= 3
    assert "100.0%" in page.locator("ul.figures").inner_text()
    screenshot(page, "portal-session")

    page.locator("button[name=language][value=en]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Handling agencies" in page.locator("nav.site-nav").inner_text()
