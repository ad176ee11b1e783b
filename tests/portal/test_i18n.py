"""Chinese by default, English on request (the language switch posts to Django's set_language);
the 404 pages speak the visitor's language."""
import pytest
from django.utils import translation

# The page chrome whose English the catalogue already had (shared with the admin and the API).
KNOWN_CHROME = {"承办单位": "Handling agencies", "会议": "Sessions"}


@pytest.fixture(autouse=True)
def default_language_afterwards():
    yield
    translation.deactivate()


def english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_chinese_by_default_with_a_language_switch(client, world):
    text = client.get("/").content.decode()
    assert '<html lang="zh-Hans">' in text
    assert 'action="/i18n/setlang/"' in text and 'name="language" value="en"' in text
    assert '<input type="hidden" name="next" value="/">' in text


def test_the_chrome_in_english(client, world):
    english(client)
    for url in ("/", f"/sessions/{world.cast.session.pk}/"):
        text = client.get(url).content.decode()
        assert '<html lang="en">' in text
        for chinese, translated in KNOWN_CHROME.items():
            assert translated in text, (url, translated)
    text = client.get(f"/agencies/{world.cast.agency.pk}/").content.decode()
    assert "Reply rate" in text and "On-time reply rate" in text and "Mean working days to reply" in text


def _catalogued(msgid: str) -> bool:
    with translation.override("en"):
        return translation.gettext(msgid) != msgid


@pytest.mark.skipif(not _catalogued("委员登录"), reason="the portal's msgids are not in locale/en yet")
def test_the_portal_chrome_is_translated(client, world):
    english(client)
    text = client.get("/").content.decode()
    for chinese in ("政协提案办理公开平台", "首页", "搜索", "开放数据", "委员登录", "跳到正文", "最新公开的答复"):
        assert chinese not in text, chinese


def test_404_pages_are_in_chinese(client, world):
    for url in ("/replies/999999/", "/agencies/999999/", "/sessions/999999/", "/no-such-page/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "页面不存在" in response.content.decode(), url
    portal_404 = client.get("/replies/999999/").content.decode()
    assert '<html lang="zh-Hans">' in portal_404 and "返回首页" in portal_404


def test_404_in_english_when_asked(client, world):
    english(client)
    response = client.get("/replies/999999/")
    assert response.status_code == 404 and '<html lang="en">' in response.content.decode()
