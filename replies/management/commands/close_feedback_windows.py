"""Close the proposals whose feedback windows have ended (domain.md, "Rules decided"): run it
once a day (cron, a systemd timer). Proposers who did not rate are recorded as 未表态."""
import datetime

from django.core.management.base import BaseCommand, CommandError

from replies.services import feedback_windows_close


class Command(BaseCommand):
    help = "Close the replied proposals whose feedback windows have all ended (未表态 for who did not rate)."

    def add_arguments(self, parser):
        parser.add_argument("--on", help="the day to close as of (YYYY-MM-DD; default today)")

    def handle(self, *args, **options):
        on = None
        if options["on"]:
            try:
                on = datetime.date.fromisoformat(options["on"])
            except ValueError as exc:
                raise CommandError(f"--on: not a date (YYYY-MM-DD): {options['on']}") from exc
        closed = feedback_windows_close(on=on)
        for proposal in closed:
            self.stdout.write(f"closed {proposal.session} {proposal}")
        self.stdout.write(f"{len(closed)} proposal(s) closed.")
