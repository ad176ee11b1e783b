"""The browser set-up itself: Chromium starts, the live server answers, Chinese text renders in a
CJK font (not boxes), screenshots are written."""
from tests.browser.conftest import screenshot


def test_the_admin_login_page_renders_in_chinese(page, db):
    page.goto("/admin/login/")
    assert page.locator("#id_username").is_visible()
    assert "登录" in page.content()
    files = screenshot(page, "admin-login")
    assert all(path.stat().st_size > 1000 for path in files)
    # A CJK font is installed: a Chinese heading is wider than a box per character would make it.
    width = page.evaluate("""() => { const s = document.createElement('span'); s.textContent = '政协提案';
        s.style.fontSize = '40px'; document.body.appendChild(s); return s.getBoundingClientRect().width; }""")
    assert width > 100
