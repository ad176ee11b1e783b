"""Who may use the workspace: a logged-in user linked to a Proposer (proposals.roles). An
anonymous visitor is sent to /my/login/; anyone else logged in (staff, a liaison, a user with no
role) gets a plain explanation instead of a page that would be empty for them."""
from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import reverse

from proposals.models import Proposer
from proposals.roles import is_committee_staff, liaison_agency_ids, proposer_id


def member_required(view):
    """The view runs for a member only, with ``request.proposer`` (their Proposer, with its committee)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("workspace:login"))
        own = proposer_id(user)
        if own is None:
            return not_a_member(request)
        request.proposer = Proposer.objects.select_related("committee").get(pk=own)
        return view(request, *args, **kwargs)

    return wrapper


def not_a_member(request):
    """403 with the reason in plain words, and where such a user works instead."""
    user = request.user
    context = {"is_staff_user": is_committee_staff(user), "is_liaison": bool(liaison_agency_ids(user)),
               "admin_allowed": user.is_staff}
    return render(request, "workspace/not_member.html", context, status=403)
