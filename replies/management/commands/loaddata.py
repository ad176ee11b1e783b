"""manage.py loaddata, as Django's, and then: rows of the records the handling report counts were
written without the workflow's steps, so the report's kept figures no longer hold. They are
marked unbuilt in the load's own transaction (the report is counted live until ``manage.py
rebuild_figures``; replies.kept_figures)."""
from django.core.management.commands import loaddata

from replies import kept_figures


class Command(loaddata.Command):
    def loaddata(self, fixture_labels):
        super().loaddata(fixture_labels)
        if getattr(self, "models", set()) & set(kept_figures.COUNTED_MODELS):
            kept_figures.mark_unbuilt()
