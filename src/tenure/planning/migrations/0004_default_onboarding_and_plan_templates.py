"""The default onboarding checklist and the three plan templates (protect, develop, recover).

Directors edit both afterwards on the pages ``/onboarding/template/`` and
``/plan-templates/``; reversing removes only the rows this migration created.
"""

from decimal import Decimal

from django.db import migrations

ONBOARDING_STEPS = [
    # (title, check, due days after promotion)
    ("Team assigned: a key account manager leads the account", "team", 7),
    ("Stakeholder map: decision maker and champion identified", "stakeholders", 21),
    ("Kickoff meeting planned with the customer", "kickoff", 14),
    ("Short- and long-term plan drafted", "plans", 30),
    ("First satisfaction survey scheduled", "survey", 60),
    ("Internal handover notes shared with the team", "manual", 14),
]

PLAN_TEMPLATES = [
    {
        "name": "Protect the core business",
        "situation": "protect",
        "horizon": "short",
        "description": "A steady account: keep the revenue we have and the people who buy.",
        "objectives": [
            {
                "kind": "protect",
                "title": "Keep this quarter's revenue at last year's level",
                "goals": [("Revenue kept vs. last year", "%", "90", "100", 90)],
                "actions": [
                    ("Review service levels and open issues with the customer", 14),
                    ("Meet the decision maker to confirm next year's volumes", 45),
                ],
            },
            {
                "kind": "protect",
                "title": "Broaden the relationship beyond one contact",
                "goals": [("Stakeholders met in the quarter", "people", "1", "3", 75)],
                "actions": [("Map the buying centre and plan one meeting per role", 21)],
            },
        ],
    },
    {
        "name": "Develop the account",
        "situation": "develop",
        "horizon": "long",
        "description": "Room to grow: raise our share of the customer's spend.",
        "objectives": [
            {
                "kind": "develop",
                "title": "Raise our share of wallet",
                "goals": [("Share of wallet", "%", "20", "35", 365)],
                "actions": [
                    ("Agree the customer's potential spend with the buyer", 30),
                    ("Present two whitespace products to the champion", 90),
                ],
            },
            {
                "kind": "protect",
                "title": "Keep the base business while we grow",
                "goals": [("Revenue kept vs. last year", "%", "95", "100", 365)],
                "actions": [("Hold a business review with the decision maker", 120)],
            },
        ],
    },
    {
        "name": "Recover a declining account",
        "situation": "recover",
        "horizon": "short",
        "description": "Revenue or satisfaction is falling: find out why and win it back.",
        "objectives": [
            {
                "kind": "protect",
                "title": "Find and fix the cause of the decline",
                "goals": [("Open issues", "issues", "3", "0", 60)],
                "actions": [
                    ("Call the decision maker to hear what went wrong", 7),
                    ("Agree a recovery plan with the customer", 21),
                    ("Check the fixes with the customer", 60),
                ],
            },
            {
                "kind": "develop",
                "title": "Win back lost revenue",
                "goals": [("Monthly revenue vs. before the decline", "%", "70", "100", 90)],
                "actions": [("Offer a review of the categories they stopped buying", 30)],
            },
        ],
    },
]


def create(apps, schema_editor):
    step_model = apps.get_model("planning", "OnboardingStepTemplate")
    for position, (title, check, days) in enumerate(ONBOARDING_STEPS):
        step_model.objects.create(
            title=title, auto_check=check, due_days=days, position=position
        )
    template_model = apps.get_model("planning", "PlanTemplate")
    objective_model = apps.get_model("planning", "PlanTemplateObjective")
    goal_model = apps.get_model("planning", "PlanTemplateGoal")
    action_model = apps.get_model("planning", "PlanTemplateAction")
    for spec in PLAN_TEMPLATES:
        template = template_model.objects.create(
            name=spec["name"],
            situation=spec["situation"],
            horizon=spec["horizon"],
            description=spec["description"],
        )
        for o in spec["objectives"]:
            objective = objective_model.objects.create(
                template=template, kind=o["kind"], title=o["title"]
            )
            for kpi, unit, baseline, target, days in o["goals"]:
                goal_model.objects.create(
                    objective=objective,
                    kpi=kpi,
                    unit=unit,
                    baseline=Decimal(baseline),
                    target=Decimal(target),
                    due_days=days,
                )
            for title, days in o["actions"]:
                action_model.objects.create(objective=objective, title=title, due_days=days)


def remove(apps, schema_editor):
    apps.get_model("planning", "OnboardingStepTemplate").objects.filter(
        title__in=[title for title, _, _ in ONBOARDING_STEPS]
    ).delete()
    apps.get_model("planning", "PlanTemplate").objects.filter(
        name__in=[spec["name"] for spec in PLAN_TEMPLATES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("planning", "0003_onboarding_and_plan_templates")]

    operations = [migrations.RunPython(create, remove)]
