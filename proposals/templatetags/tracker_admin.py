"""Template tags of the tracker's admin pages."""
from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def tracker_dashboard(context):
    """The admin home's sections for the signed-in user (proposals.admin.dashboard)."""
    from proposals.admin.dashboard import dashboard

    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"sections": [], "status_counts": []}
    return dashboard(request.user)
