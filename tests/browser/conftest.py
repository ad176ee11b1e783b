"""Real-browser tests: Debian's Chromium (/usr/bin/chromium, installed by `make test` when missing)
driven by Playwright for Python against pytest-django's live server. Never `playwright install`:
it downloads a browser from outside.

Screenshots of the main pages, at a phone's 390 px and a laptop's 1366 px, are written to
artifacts/screenshots/ (kept by CI as artifacts; see the README)."""
import os
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop running in the test's thread; the ORM calls the tests
# make around it (fixtures, assertions) are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 768}}
# Without the background-networking flags Chromium keeps calling outside hosts, which this
# machine's closed network refuses.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium and fonts-noto-cjk")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) on the live server, Chinese first, a laptop's screen."""
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORTS["laptop"], locale="zh-CN")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def screenshot(page, name: str) -> list[Path]:
    """The current page at both widths, full length; returns the files written."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    written = []
    original = page.viewport_size
    for label, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        path = SCREENSHOTS / f"{name}-{label}-{size['width']}.png"
        page.screenshot(path=str(path), full_page=True)
        written.append(path)
    page.set_viewport_size(original)
    return written


def log_in(page, username: str, password: str) -> None:
    """Log in through the admin's login form, as a person does."""
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
