"""The one home of the rule that a date a client sends must be one the tracker can compute with
(issue 9: 9999-12-31 as a deadline made "year 10000 is out of range" a 500 when a deadline or a
reminder was computed from it; 0001-01-01 likewise before the start of the calendar).

The window is wide on purpose: the services refine it where they know more (an assignment date
within its session's term, a reply not before its assignment: proposals.services.base
require_plausible_date); this field only keeps every date far from the calendar's edges."""
import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from proposals.services.base import EARLIEST_DATE

LATEST_DATE = datetime.date(2099, 12, 31)


class PlausibleDateField(serializers.DateField):
    """A date between EARLIEST_DATE (1980-01-01) and LATEST_DATE (2099-12-31); anything else is a
    400 naming the field."""

    default_error_messages = {
        "implausible": _("日期应在 {earliest} 至 {latest} 之间:{value}"),
    }

    def to_internal_value(self, value):
        date = super().to_internal_value(value)
        if not EARLIEST_DATE <= date <= LATEST_DATE:
            self.fail("implausible", earliest=EARLIEST_DATE.isoformat(), latest=LATEST_DATE.isoformat(),
                      value=date.isoformat())
        return date


class PlausibleDatesMixin:
    """For a ModelSerializer: every date the model declares is read with PlausibleDateField."""

    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping,
                                models.DateField: PlausibleDateField}
