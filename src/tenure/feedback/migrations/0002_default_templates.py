"""Seed the default survey templates: NPS, relationship survey, open questions.

Reversible: going back removes these templates unless a campaign already uses them.
"""

from django.db import migrations

NPS_TEXT = "How likely is it that you would recommend us to a colleague or business partner?"
WHY_TEXT = "What is the main reason for your score?"

DEFAULTS = [
    {
        "name": "Net Promoter Score",
        "description": "One question and its reason. Short enough to send every six months.",
        "title": "How are we doing?",
        "intro": "Two questions, under a minute. Thank you for your time.",
        "questions": [
            ("nps", "nps", NPS_TEXT, "", True),
            ("nps_why", "text", WHY_TEXT, "", False),
        ],
    },
    {
        "name": "Relationship survey",
        "description": "NPS plus ratings of the account manager and the service: the yearly "
        "relationship check for key accounts.",
        "title": "How is our relationship?",
        "intro": "About three minutes. Your answers help us serve you better.",
        "questions": [
            ("nps", "nps", NPS_TEXT, "", True),
            ("nps_why", "text", WHY_TEXT, "", False),
            (
                "manager_understanding",
                "rating",
                "How well does your account manager understand your business?",
                "",
                False,
            ),
            (
                "manager_responsiveness",
                "rating",
                "How would you rate your account manager's responsiveness and follow-through?",
                "",
                False,
            ),
            ("service_quality", "rating", "How would you rate the quality of our products and services?", "", False),
            ("service_delivery", "rating", "How would you rate the reliability of our deliveries?", "", False),
            ("service_ease", "rating", "How easy is it to do business with us?", "", False),
            ("better", "text", "What could we do better?", "", False),
        ],
    },
    {
        "name": "Open questions",
        "description": "Two open questions, for a conversation starter before a review.",
        "title": "Your view, in your words",
        "intro": "Write as much or as little as you like.",
        "questions": [
            ("better", "text", "What could we do better?", "", True),
            ("keep", "text", "What should we keep doing?", "", False),
        ],
    },
]


def seed(apps, schema_editor):
    SurveyTemplate = apps.get_model("feedback", "SurveyTemplate")
    SurveyVersion = apps.get_model("feedback", "SurveyVersion")
    Question = apps.get_model("feedback", "Question")
    for spec in DEFAULTS:
        if SurveyTemplate.objects.filter(name__iexact=spec["name"]).exists():
            continue
        template = SurveyTemplate.objects.create(
            name=spec["name"], description=spec["description"], is_active=True
        )
        version = SurveyVersion.objects.create(
            template=template, number=1, title=spec["title"], intro=spec["intro"]
        )
        Question.objects.bulk_create(
            Question(
                version=version,
                position=position,
                key=key,
                kind=kind,
                text=text,
                help_text=help_text,
                required=required,
            )
            for position, (key, kind, text, help_text, required) in enumerate(
                spec["questions"], start=1
            )
        )


def unseed(apps, schema_editor):
    SurveyTemplate = apps.get_model("feedback", "SurveyTemplate")
    Campaign = apps.get_model("feedback", "Campaign")
    names = [spec["name"] for spec in DEFAULTS]
    used = set(Campaign.objects.values_list("template_id", flat=True))
    SurveyTemplate.objects.filter(name__in=names).exclude(pk__in=used).delete()


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
