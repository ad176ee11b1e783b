"""{{ warnings|warning_texts }}: the importer's warnings in the reader's language."""
from django import template

from replies.importing.warnings import warning_texts as _warning_texts

register = template.Library()


@register.filter
def warning_texts(lines):
    return _warning_texts(lines)
