"""Detractor tasks raised before issue 15 for anonymous answers carried the score, the day
and the response id (in ``cause_key``): the details are withdrawn from them.

A queryset update, so no audit event copies the old text again. Events recorded when those
tasks were raised are kept (the trail is append-only); see docs/surveys.md.
"""

from django.db import migrations

WITHDRAWN_TITLE = "Detractor answers from anonymous respondents"
WITHDRAWN_EVIDENCE = (
    "An anonymous detractor answer. Its details are withdrawn: anonymous answers are not "
    "shown one by one. Follow up with a strategic conversation."
)


def withdraw(apps, schema_editor):
    Task = apps.get_model("alerts", "Task")
    Response = apps.get_model("feedback", "Response")
    tasks = Task.objects.filter(rule="detractor", cause_key__startswith="response:")
    by_response = {}
    for pk, key in tasks.values_list("pk", "cause_key"):
        _, _, number = key.partition(":")
        if number.isdigit():
            by_response.setdefault(int(number), []).append(pk)
    named = set(
        Response.objects.filter(pk__in=list(by_response), consent_to_share=True).values_list(
            "pk", flat=True
        )
    )
    for response_id, task_ids in by_response.items():
        if response_id in named:
            continue
        for pk in task_ids:
            Task.objects.filter(pk=pk).update(
                title=WITHDRAWN_TITLE,
                evidence=WITHDRAWN_EVIDENCE,
                cause_key=f"anonymous:withdrawn-{pk}",
            )


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0001_initial"),
        ("feedback", "0002_default_templates"),
    ]

    operations = [
        migrations.RunPython(withdraw, migrations.RunPython.noop, elidable=False),
    ]
