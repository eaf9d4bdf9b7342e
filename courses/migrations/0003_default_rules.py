"""The default 积分 rules and 学时 conversion rules (editable data afterwards)."""

import datetime
from decimal import Decimal

from django.db import migrations

POINTS = [
    # action, points, daily cap, weekly cap, minimum effective seconds
    ("daily_login", 1, 1, None, 0),
    ("lesson_completed", 2, 10, None, 0),
    ("study_minutes", 1, 6, None, 600),
    ("daily_quiz", 5, 5, None, 0),
    ("exam_passed", 10, None, 50, 0),
]


def add_defaults(apps, schema_editor):
    PointsRule = apps.get_model("courses", "PointsRule")
    TrainingConversion = apps.get_model("courses", "TrainingConversion")
    since = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    for action, points, daily, weekly, seconds in POINTS:
        PointsRule.objects.get_or_create(
            action=action,
            version=1,
            defaults={
                "points": points,
                "daily_cap": daily,
                "weekly_cap": weekly,
                "min_effective_seconds": seconds,
                "valid_from": since,
            },
        )
    TrainingConversion.objects.get_or_create(
        valid_from=datetime.date(2000, 1, 1),
        defaults={
            "per_hour": Decimal(1),
            "half_day": Decimal(4),
            "day": Decimal(8),
            "daily_max": Decimal(8),
        },
    )


class Migration(migrations.Migration):
    dependencies = [("courses", "0002_assignments_points_training")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
