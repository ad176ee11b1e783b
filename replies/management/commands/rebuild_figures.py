"""manage.py rebuild_figures [--check]: count the kept figures of the handling report anew
(replies.kept_figures), e.g. after loading data by hand; --check compares them with a count from
scratch and exits 1 on a difference, changing nothing."""
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from replies import kept_figures


class Command(BaseCommand):
    help = "Rebuild the kept figures of the handling report from every proposal (--check: compare only)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="compare the kept figures with a count from scratch; exit 1 if they differ")

    def handle(self, *args, check=False, **options):
        started = time.monotonic()

        def progress(done):
            if done % 50_000 == 0:
                self.stderr.write(f"  {done:,} proposals read ({time.monotonic() - started:.0f} s)")

        if check:
            self.check_kept(progress)
            return
        done = kept_figures.rebuild(progress)
        self.stdout.write(f"rebuilt the kept figures from {done:,} proposals in {time.monotonic() - started:.1f} s")

    def check_kept(self, progress):
        if not kept_figures.is_built():
            raise CommandError("the kept figures are not built: run manage.py rebuild_figures")
        with transaction.atomic():  # the kept counts and the count anew, of one state
            kept = kept_figures.kept_counts()
            counted, done = kept_figures.counted_anew(progress)
        differing = sorted(key for key in set(kept) | set(counted) if kept[key] != counted[key])
        for key in differing[:20]:
            self.stderr.write(f"  {key}: kept {kept[key]}, counted {counted[key]}")
        if differing:
            self.stderr.write(f"{len(differing)} kept figures differ from a count from scratch over {done:,} proposals")
            sys.exit(1)
        self.stdout.write(f"the kept figures equal a count from scratch over {done:,} proposals")
