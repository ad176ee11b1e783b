"""notifications builds on replies and proposals, never the reverse (.importlinter's layers; `make
test` runs lint-imports): nor may proposals or replies name it where imports do not show."""
import re
from pathlib import Path

BASE = Path(__file__).resolve().parents[2]


def test_proposals_and_replies_name_no_notifications_module_model_or_migration():
    pattern = re.compile(r"""(from|import)\s+notifications\b|["']notifications[."']""")
    offending = []
    for package in ("proposals", "replies"):
        for path in (BASE / package).rglob("*.py"):
            for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if pattern.search(text):
                    offending.append(f"{path.relative_to(BASE)}:{number}: {text.strip()}")
    assert offending == []


def test_the_listener_is_registered_once():
    from django.apps import apps

    from notifications.events import on_event
    from proposals.extensions import registry

    apps.get_app_config("notifications").ready()  # a second call adds nothing
    assert registry.event_listeners.count(on_event) == 1
