import json
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from replies import kept_figures
from replies.demo import DEMO_PASSWORD, DEMO_USERS, ensure_demo, ensure_groups
from replies.models import SourceDocument


def _fixture_checksums(path: Path) -> set[str]:
    return {
        row["fields"]["sha256"]
        for row in json.loads(path.read_text(encoding="utf-8"))
        if row["model"] == "replies.sourcedocument"
    }


class Command(BaseCommand):
    help = ("Load the corpus fixtures (once) and create the demo users and committee (idempotent). "
            "The demo users share one published password: with DEBUG off they are created only with --force.")

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true",
                            help="Create the demo users even with DEBUG off (a demonstration server).")

    def handle(self, *args, **options):
        fixture = Path(settings.BASE_DIR) / "fixtures" / "corpus.json"
        if fixture.exists():
            wanted = _fixture_checksums(fixture)
            # Loading again would reset records that staff have corrected since: load only what is missing.
            if SourceDocument.objects.filter(sha256__in=wanted).count() < len(wanted):
                call_command("loaddata", str(fixture), verbosity=0)
                kept_figures.rebuild()  # loaddata writes rows, not steps: count the report's figures anew
                self.stdout.write(f"Loaded {fixture.relative_to(settings.BASE_DIR)}")
            else:
                self.stdout.write("Corpus already loaded.")
        if not (settings.DEBUG or options["force"]):
            ensure_groups()
            self.stderr.write(_("DEBUG 已关闭:未创建演示用户(它们共用一个公开的密码)。"
                                "演示服务器确需创建时,请加 --force。"))
            return
        ensure_demo()
        self.stdout.write("Demo logins (password for all: %s):" % DEMO_PASSWORD)
        for username, (role, _group) in DEMO_USERS.items():
            self.stdout.write(f"  {username:8} {role}")
