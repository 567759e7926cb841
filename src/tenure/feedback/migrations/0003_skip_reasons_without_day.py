"""Take the day out of stored contact-budget skip reasons.

"surveyed on 2026-10-18, fewer than 90 days ago" becomes "surveyed fewer than 90 days ago":
an invitation imported with answers is dated by the answer, and the reason is shown with the
person's name on the campaign page, so the day dated an anonymous answer. Reversing keeps the
reasons as they are (the days are not kept anywhere to restore).
"""

import re

from django.db import migrations

DAY = re.compile(r"surveyed on \d{4}-\d{2}-\d{2}, fewer than")


def reasons_without_day(apps, schema_editor):
    Campaign = apps.get_model("feedback", "Campaign")
    for campaign in Campaign.objects.exclude(skipped=[]).only("id", "skipped"):
        entries = campaign.skipped if isinstance(campaign.skipped, list) else []
        changed = False
        for entry in entries:
            reason = entry.get("reason") if isinstance(entry, dict) else None
            if isinstance(reason, str) and DAY.search(reason):
                entry["reason"] = DAY.sub("surveyed fewer than", reason)
                changed = True
        if changed:
            Campaign.objects.filter(pk=campaign.pk).update(skipped=entries)


class Migration(migrations.Migration):
    dependencies = [("feedback", "0002_default_templates")]

    operations = [migrations.RunPython(reasons_without_day, migrations.RunPython.noop)]
