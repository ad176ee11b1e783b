from django.db import migrations


def seed(apps, schema_editor):
    from proposals.calendar import chinese_calendar_days

    CalendarDay = apps.get_model("proposals", "CalendarDay")
    existing = set(CalendarDay.objects.values_list("date", flat=True))
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=day, kind=kind, name=name) for day, kind, name in chinese_calendar_days() if day not in existing],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [("proposals", "0002_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
