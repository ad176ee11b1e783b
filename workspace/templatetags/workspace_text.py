"""Template filters of the workspace's pages."""
from django import template

register = template.Library()


@register.filter
def paragraphs(text) -> list[str]:
    """A letter's or a proposal's text as its paragraphs: typed and imported texts put one
    paragraph on each line, which the pages indent as letters are printed."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
