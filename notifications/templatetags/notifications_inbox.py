"""The bell of every admin page: the signed-in user's unread inbox count (one COUNT)."""
from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def inbox_unread_count(context) -> int:
    from notifications.views import unread_count

    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return 0
    return unread_count(request.user)
