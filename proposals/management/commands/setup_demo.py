from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from proposals.demo import DEMO_PASSWORD, DEMO_USERS, ensure_demo


class Command(BaseCommand):
    help = "Load the corpus fixtures and create the demo users and committee (idempotent)."

    def handle(self, *args, **options):
        fixture = Path(settings.BASE_DIR) / "fixtures" / "corpus.json"
        if fixture.exists():
            call_command("loaddata", str(fixture), verbosity=0)
            self.stdout.write(f"Loaded {fixture.relative_to(settings.BASE_DIR)}")
        ensure_demo()
        self.stdout.write("Demo logins (password for all: %s):" % DEMO_PASSWORD)
        for username, (role, _group) in DEMO_USERS.items():
            self.stdout.write(f"  {username:8} {role}")
