"""Survey templates: seeded defaults, versioning once answered, and the admin that edits them."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.urls import reverse

from tenure.core.errors import DomainError
from tenure.feedback import services
from tenure.feedback.models import Answer, Question, SurveyTemplate, SurveyVersion
from tenure.feedback.services import QuestionSpec
from tests.accounts.factories import UserFactory
from tests.feedback.factories import RELATIONSHIP, make_template, open_campaign, respond

pytestmark = pytest.mark.django_db

DEFAULT_NAMES = {"Net Promoter Score", "Relationship survey", "Open questions"}
# A unique constraint broken: PostgreSQL names the constraint, SQLite its columns.
ONE_NPS_QUESTION = r"question_one_nps_per_version|feedback_question\.version_id$"


def test_default_templates_are_seeded_with_an_nps_question():
    seeded = SurveyTemplate.objects.filter(name__in=DEFAULT_NAMES)
    assert set(seeded.values_list("name", flat=True)) == DEFAULT_NAMES
    relationship = SurveyVersion.objects.get(template__name="Relationship survey", number=1)
    kinds = list(relationship.questions.values_list("kind", flat=True))
    assert kinds.count("nps") == 1
    assert kinds.count("rating") == 5
    assert "text" in kinds


def test_seed_migration_reverses_and_reapplies():
    # The data migration's own functions, run forwards and backwards on the test database.
    seed = importlib.import_module("tenure.feedback.migrations.0002_default_templates")
    seed.unseed(apps, None)
    assert not SurveyTemplate.objects.filter(name__in=DEFAULT_NAMES).exists()
    seed.seed(apps, None)
    seed.seed(apps, None)  # and again: nothing doubles
    assert SurveyTemplate.objects.filter(name__in=DEFAULT_NAMES).count() == 3


def _edited(text: str) -> list[QuestionSpec]:
    return [RELATIONSHIP[0], QuestionSpec("better", "text", text)]


def test_editing_an_unanswered_version_changes_it_in_place():
    template = make_template()
    version = services.survey_template_revise(
        template=template, title="New title", questions=_edited("Anything else?")
    )
    assert version.number == 1
    assert template.versions.count() == 1
    assert list(version.questions.values_list("key", flat=True)) == ["nps", "better"]


def test_editing_an_answered_version_makes_a_new_one_and_old_answers_keep_their_question():
    campaign = open_campaign()
    old_version = campaign.version
    response = respond(campaign, score=9, better="Faster deliveries")
    old_question = Question.objects.get(version=old_version, key="better")

    new_version = services.survey_template_revise(
        template=campaign.template, title="How are we doing?", questions=_edited("Ideas for us?")
    )

    assert new_version.number == 2
    assert new_version.pk != old_version.pk
    answer = Answer.objects.get(response=response, question__key="better")
    assert answer.question_id == old_question.pk
    assert answer.question.text == "What could we do better?"
    assert response.version_id == old_version.pk
    # New campaigns take the new version; the running one keeps its own.
    assert open_campaign(template=campaign.template).version_id == new_version.pk
    campaign.refresh_from_db()
    assert campaign.version_id == old_version.pk


def test_an_edit_that_changes_nothing_makes_no_new_version():
    campaign = open_campaign()
    respond(campaign, score=8)
    version = services.survey_template_revise(
        template=campaign.template, title="How are we doing?", questions=RELATIONSHIP
    )
    assert version.pk == campaign.version_id
    assert list(campaign.template.versions.all()) == [version]


@pytest.mark.parametrize(
    ("questions", "message"),
    [
        ([], "at least one question"),
        ([RELATIONSHIP[0], RELATIONSHIP[0]], "repeat"),
        (
            [RELATIONSHIP[0], QuestionSpec("nps2", "nps", "Again?")],
            "at most one likelihood-to-recommend",
        ),
        ([QuestionSpec("Bad Key", "text", "x")], "lower-case"),
        ([QuestionSpec("k", "stars", "x")], "unknown question kind"),
    ],
)
def test_bad_question_sets_are_refused(questions, message):
    with pytest.raises(DomainError, match=message):
        services.survey_template_create(name="Bad", title="Bad", questions=questions)
    assert not SurveyTemplate.objects.filter(name="Bad").exists()


def test_database_allows_one_nps_question_per_version():
    version = make_template().versions.get()
    with pytest.raises(IntegrityError, match=ONE_NPS_QUESTION), transaction.atomic():
        Question.objects.create(version=version, key="again", kind="nps", text="Again?")


def _admin_post(template_version: SurveyVersion, better_text: str) -> dict[str, str]:
    questions = list(template_version.questions.order_by("position"))
    data = {
        "title": template_version.title,
        "intro": template_version.intro,
        "questions-TOTAL_FORMS": str(len(questions)),
        "questions-INITIAL_FORMS": str(len(questions)),
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for number, q in enumerate(questions):
        prefix = f"questions-{number}-"
        data.update(
            {
                prefix + "id": str(q.pk),
                prefix + "version": str(template_version.pk),
                prefix + "position": str(q.position),
                prefix + "key": q.key,
                prefix + "kind": q.kind,
                prefix + "text": better_text if q.key == "better" else q.text,
                prefix + "help_text": q.help_text,
                prefix + "required": "on" if q.required else "",
            }
        )
    return data


def test_admin_edit_of_an_answered_version_saves_a_new_version(client):
    campaign = open_campaign()
    respond(campaign, score=10, better="Nothing")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:feedback_surveyversion_change", args=[campaign.version_id])

    response = client.post(url, _admin_post(campaign.version, "Ideas for us?"), follow=True)

    assert response.status_code == 200
    versions = list(campaign.template.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].questions.get(key="better").text == "What could we do better?"
    assert versions[1].questions.get(key="better").text == "Ideas for us?"
    assert "saved as version 2" in response.content.decode()


def test_admin_edit_of_an_unanswered_version_changes_it_in_place(client):
    version = make_template().versions.get()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:feedback_surveyversion_change", args=[version.pk])
    client.post(url, _admin_post(version, "Ideas for us?"))
    assert version.template.versions.count() == 1
    assert version.questions.get(key="better").text == "Ideas for us?"


def test_admin_shows_older_versions_read_only_and_never_lists_responses(client):
    campaign = open_campaign()
    respond(campaign, score=10)
    services.survey_template_revise(
        template=campaign.template, title="v2", questions=_edited("Ideas?")
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:feedback_surveyversion_change", args=[campaign.version_id]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    index = client.get(reverse("admin:index")).content.decode()
    assert "/admin/feedback/surveytemplate/" in index
    assert "/admin/feedback/response/" not in index
    assert "/admin/feedback/answer/" not in index
