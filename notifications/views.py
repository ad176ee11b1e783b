"""The inbox and the notification settings in the admin, for every user of the admin (each sees
and changes only their own): the list of one's notices (unread first, paged, by read state and
kind), opening one (marked read, then on to the page it speaks of), marking all read, and the
settings page. Mounted under the notification admin's URLs (notifications.urls)."""
from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from notifications import services
from notifications.filtersets import NotificationFilterSet, inbox_of
from notifications.forms import MyNotificationPreferenceForm
from notifications.models import Notification
from notifications.preferences import FIELDS, preference_of, preference_update

PER_PAGE = 30


def _context(request, admin_site, title: str, **extra) -> dict:
    return {**admin_site.each_context(request), "title": title, **extra}


def unread_count(user) -> int:
    return inbox_of(user).filter(read_at__isnull=True).order_by().count()


def _read_filter_links(request, current: str) -> list[dict]:
    """全部 / 未读 / 已读, each keeping the kind chosen."""
    links = []
    for value, label in (("", _("全部")), ("true", _("未读")), ("false", _("已读"))):
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("unread", None)
        if value:
            query["unread"] = value
        links.append({"label": label, "url": f"?{query.urlencode()}", "current": value == current})
    return links


def inbox_view(request, admin_site):
    """One's own notices, unread first then the newest, 30 a page; ?unread=true|false, ?kind=…"""
    own = inbox_of(request.user)
    filterset = NotificationFilterSet(request.GET, queryset=own, request=request)
    valid = filterset.is_valid()
    rows = filterset.qs if valid else own.none()
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    kinds_present = set(own.order_by().values_list("kind", flat=True).distinct())
    labels = dict(Notification.Kind.choices)
    query = request.GET.copy()
    query.pop("page", None)
    context = _context(
        request, admin_site, _("我的通知"),
        page=page, filterset=filterset, errors=None if valid else filterset.errors,
        unread=unread_count(request.user),
        read_links=_read_filter_links(request, request.GET.get("unread", "")),
        kinds=[(kind, labels[kind]) for kind in Notification.Kind.values if kind in kinds_present],
        kind=request.GET.get("kind", ""), unread_value=request.GET.get("unread", ""),
        page_query=query.urlencode(),
    )
    return TemplateResponse(request, "admin/notifications/inbox.html", context, status=200 if valid else 400)


def _safe_next(request, url: str) -> str | None:
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return None


def open_view(request, admin_site, pk: int):
    """Opening a notice marks it read (by its recipient only: another's is a 404) and goes on to
    the page it speaks of; a notice without one is shown in the inbox."""
    notice = get_object_or_404(inbox_of(request.user), pk=pk)
    services.notification_mark_read(user=request.user, notification=notice)
    target = _safe_next(request, notice.link)
    if target is None:
        target = f"{reverse('admin:notifications_inbox')}#notice-{notice.pk}"
    return HttpResponseRedirect(target)


@require_POST
def read_all_view(request, admin_site):
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(request, ngettext("已将 %(n)s 条通知标为已读", "已将 %(n)s 条通知标为已读", count) % {"n": count})
    back = _safe_next(request, request.POST.get("next", ""))
    return HttpResponseRedirect(back or reverse("admin:notifications_inbox"))


def preferences_view(request, admin_site):
    """The user's own settings; saved, the page shows them again with a message."""
    preference = preference_of(request.user)
    form = MyNotificationPreferenceForm(request.POST if request.method == "POST" else None, instance=preference)
    if request.method == "POST" and form.is_valid():
        preference_update(user=request.user, **{name: form.cleaned_data[name] for name in FIELDS})
        messages.success(request, _("通知设置已保存"))
        return HttpResponseRedirect(reverse("admin:notifications_preferences"))
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "admin/notifications/preferences.html",
                            _context(request, admin_site, _("通知设置"), form=form), status=status)
