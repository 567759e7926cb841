"""Admin for survey templates (versioned) and a read-only view of campaigns and invitations.

Editing the latest version of a template goes through ``survey_template_revise``: while
nobody has answered it the version changes in place; once it has answers the edit is
saved as a new version. Older versions are read-only.

Responses and answers are deliberately not registered: the admin would show them with
names, bypassing the consent rule that every page and export follows. Nor can campaigns or
invitations be deleted here: the confirmation page lists what a delete takes with it, an
invitation (a person) with its response under it, which ties a person to an answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Max
from django.http import HttpRequest

from tenure.core.errors import DomainError
from tenure.feedback import selectors, services
from tenure.feedback.models import Campaign, Invitation, Question, SurveyTemplate, SurveyVersion


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "latest_version", "version_count"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    fields = ["name", "description", "is_active"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return (
            super()
            .get_queryset(request)
            .annotate(latest=Max("versions__number"), versions_n=Count("versions"))
        )

    @admin.display(description="latest version", ordering="latest")
    def latest_version(self, obj: SurveyTemplate) -> str:
        latest = getattr(obj, "latest", None)  # annotated by get_queryset
        return f"v{latest}" if latest else "—"

    @admin.display(description="versions", ordering="versions_n")
    def version_count(self, obj: SurveyTemplate) -> int:
        return int(getattr(obj, "versions_n", 0))


class QuestionFormSet(forms.BaseInlineFormSet):
    """Checks the questions as a whole with the service's rules before anything is saved."""

    def specs(self) -> list[services.QuestionSpec]:
        kept = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            # django-stubs leaves out BaseFormSet._should_delete_form, which Django has.
            if not data or (self.can_delete and self._should_delete_form(form)):  # type: ignore[attr-defined]
                continue
            kept.append(
                (
                    data.get("position") or 0,
                    services.QuestionSpec(
                        key=data["key"],
                        kind=data["kind"],
                        text=data["text"],
                        help_text=data.get("help_text", ""),
                        required=bool(data.get("required")),
                    ),
                )
            )
        return [spec for _, spec in sorted(kept, key=lambda item: item[0])]

    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms):
            return
        try:
            services.check_questions(self.specs())
        except DomainError as error:
            raise forms.ValidationError(error.message) from error


class QuestionInline(admin.TabularInline):
    model = Question
    formset = QuestionFormSet
    fields = ["position", "key", "kind", "text", "help_text", "required"]
    extra = 1
    ordering = ["position", "id"]


@admin.register(SurveyVersion)
class SurveyVersionAdmin(admin.ModelAdmin):
    list_display = ["template", "number", "title", "answers"]
    list_filter = ["template"]
    fields = ["template", "title", "intro"]
    inlines = [QuestionInline]

    def get_queryset(self, request: HttpRequest) -> Any:
        return (
            super()
            .get_queryset(request)
            .select_related("template")
            .annotate(answer_count=Count("responses"))
        )

    @admin.display(description="answers", ordering="answer_count")
    def answers(self, obj: SurveyVersion) -> int:
        return int(getattr(obj, "answer_count", 0))

    def _is_latest(self, obj: SurveyVersion) -> bool:
        latest = selectors.template_latest_version(template=obj.template)
        return latest is not None and latest.pk == obj.pk

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["template"] if obj is not None else []

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Older versions are history: read-only. The latest is edited through the service.
        if obj is not None and not self._is_latest(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Nothing here: ``save_related`` writes the version and its questions in one go."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        specs = [spec for fs in formsets if isinstance(fs, QuestionFormSet) for spec in fs.specs()]
        template = form.instance.template if change else form.cleaned_data["template"]
        before = selectors.template_latest_version(template=template)
        version = services.survey_template_revise(
            template=template,
            title=form.cleaned_data["title"],
            intro=form.cleaned_data.get("intro", ""),
            questions=specs,
        )
        if before is not None and version.pk != before.pk:
            messages.info(
                request,
                f"Version {before.number} already has answers, so your edit was saved as "
                f"version {version.number}; earlier answers keep their questions.",
            )
        # The admin logs and redirects to form.instance: make it the version written.
        form.instance.pk = version.pk
        form.instance.number = version.number
        form.instance._state.adding = False

    # Django logs a plain-string message as it is; the stub allows only the list form.
    def construct_change_message(  # type: ignore[override]
        self,
        request: HttpRequest,
        form: forms.ModelForm[SurveyVersion],
        formsets: Iterable[forms.BaseFormSet[Any]],
        add: bool = False,
    ) -> str:
        return f"Saved through survey_template_revise as version {form.instance.number}."


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Campaigns are created and sent from their staff pages; the admin only shows them."""

    list_display = ["name", "version", "target", "status", "sent_at", "closes_at"]
    list_filter = ["status", "target"]
    search_fields = ["name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Who was invited and reminded, never what they answered."""

    list_display = ["contact", "account", "campaign", "source", "sent_at", "reminders_sent"]
    list_filter = ["source", "campaign"]
    search_fields = ["contact__last_name", "contact__email", "account__name"]
    list_select_related = ["contact", "account", "campaign"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
