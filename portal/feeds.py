"""The feed of newly published replies (Django's syndication framework): Atom at
/feeds/replies/, RSS 2.0 at /feeds/replies.rss. Items are the latest public replies
(portal.queries), each linking to its page on the portal."""
from __future__ import annotations

import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal import queries

ITEMS = 30
SUMMARY = 200


class LatestRepliesRss(Feed):
    def title(self):
        return _("政协提案办理公开平台:最新公开的答复")

    def description(self):
        return _("新近公开的提案答复")

    def link(self):
        return reverse("portal:home")

    def items(self):
        return queries.latest_replies(limit=ITEMS)

    def item_title(self, reply):
        proposal = reply.assignment.proposal
        return reply.title or _("%(agency)s对第%(number)s号提案的答复") % {
            "agency": reply.assignment.agency.name, "number": proposal.number}

    def item_description(self, reply):
        proposal = reply.assignment.proposal
        return _("%(session)s第%(number)s号提案《%(title)s》,承办单位:%(agency)s") % {
            "session": proposal.session, "number": proposal.number, "title": proposal.title,
            "agency": reply.assignment.agency.name}

    def item_link(self, reply):
        return reverse("portal:reply_detail", args=[reply.pk])

    def item_guid(self, reply):
        return reverse("portal:reply_detail", args=[reply.pk])

    def item_pubdate(self, reply):
        day = reply.published_on or reply.signed_on
        if day is None:
            return None
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(0, 0)))

    def item_updateddate(self, reply):
        return self.item_pubdate(reply)  # Atom requires <updated>; a published reply is not edited

    def item_author_name(self, reply):
        return reply.assignment.agency.name

    def item_categories(self, reply):
        return [c for c in (reply.assignment.proposal.topic, reply.classification) if c]

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        feed.feed["language"] = get_language()
        return feed


class LatestRepliesAtom(LatestRepliesRss):
    feed_type = Atom1Feed

    def subtitle(self):
        return self.description()
