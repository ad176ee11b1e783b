"""Formatting for the portal's figures: a missing figure is a dash, never "None" or 0."""
from django import template

from portal import charts

register = template.Library()


@register.filter
def percent(value):
    """0.9523 -> 95.2%; None -> —."""
    return charts.percent(value)


@register.filter
def figure(value):
    """A count or a mean: 1,234 / 12.5; None -> —."""
    return charts.number(value)
