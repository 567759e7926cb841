"""The directors' plan templates: list, create, edit their parts, remove (after asking)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from tenure.core.errors import DomainError
from tenure.planning import plan_templates as templates
from tenure.planning.forms import (
    ObjectiveForm,
    PlanTemplateActionForm,
    PlanTemplateForm,
    PlanTemplateGoalForm,
)
from tenure.planning.models import (
    PlanTemplate,
    PlanTemplateAction,
    PlanTemplateGoal,
    PlanTemplateObjective,
)
from tenure.planning.onboarding_services import can_edit_templates

PARTS: dict[str, type[templates.TemplateItem]] = {
    "template": PlanTemplate,
    "objective": PlanTemplateObjective,
    "goal": PlanTemplateGoal,
    "action": PlanTemplateAction,
}


def _director(request: HttpRequest) -> None:
    if not can_edit_templates(request.user):
        raise PermissionDenied("Only a director changes the plan templates.")


def _attempt(form: Form, write: Callable[[], object]) -> bool:
    """Run a service write; a refused rule becomes a form error and ``False``."""
    try:
        write()
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return False
    return True


def template_list(request: HttpRequest) -> HttpResponse:
    _director(request)
    assert request.user.is_authenticated  # LoginRequiredMiddleware
    user = request.user
    form = PlanTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            template = templates.plan_template_save(by=user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "Template created. Add its objectives, goals and actions.")
            return redirect("planning:plan_template", pk=template.pk)
    return render(
        request,
        "planning/plan_template_list.html",
        {"templates": list(templates.plan_templates()), "form": form},
    )


def template_page(request: HttpRequest, pk: int) -> HttpResponse:
    _director(request)
    template = get_object_or_404(templates.plan_templates(), pk=pk)
    objectives = list(template.objectives.all())
    choices = _choices(objectives)
    forms: dict[str, Form] = {
        "header_form": PlanTemplateForm(
            prefix="header",
            initial={
                "name": template.name,
                "situation": template.situation,
                "horizon": template.horizon,
                "description": template.description,
            },
        ),
        "objective_form": ObjectiveForm(prefix="objective"),
        "goal_form": PlanTemplateGoalForm(prefix="goal", objectives=choices),
        "action_form": PlanTemplateActionForm(prefix="action", objectives=choices),
    }
    if request.method == "POST":
        step = request.POST.get("step", "")
        handler = {
            "header": _save_header,
            "objective": _add_objective,
            "goal": _add_goal,
            "action": _add_action,
        }.get(step)
        if handler is not None:
            form, ok = handler(request, template, objectives)
            if ok:
                messages.success(request, "Template saved.")
                return redirect("planning:plan_template", pk=template.pk)
            forms[f"{step}_form"] = form
    return render(
        request,
        "planning/plan_template.html",
        {"template": template, "objectives": objectives, **forms},
    )


def _choices(objectives: list[PlanTemplateObjective]) -> list[tuple[int, str]]:
    return [(o.pk, o.title) for o in objectives]


def _editor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # LoginRequiredMiddleware
    return request.user


def _save_header(
    request: HttpRequest, template: PlanTemplate, _objectives: list[PlanTemplateObjective]
) -> tuple[Form, bool]:
    form = PlanTemplateForm(request.POST, prefix="header")
    ok = form.is_valid() and _attempt(
        form,
        lambda: templates.plan_template_save(
            by=_editor(request), template=template, **form.cleaned_data
        ),
    )
    return form, ok


def _add_objective(
    request: HttpRequest, template: PlanTemplate, _objectives: list[PlanTemplateObjective]
) -> tuple[Form, bool]:
    form = ObjectiveForm(request.POST, prefix="objective")
    ok = form.is_valid() and _attempt(
        form,
        lambda: templates.plan_template_objective_add(
            template=template, by=_editor(request), **form.cleaned_data
        ),
    )
    return form, ok


def _add_goal(
    request: HttpRequest, _template: PlanTemplate, objectives: list[PlanTemplateObjective]
) -> tuple[Form, bool]:
    form = PlanTemplateGoalForm(request.POST, prefix="goal", objectives=_choices(objectives))
    if not form.is_valid():
        return form, False
    data = dict(form.cleaned_data)
    objective = next(o for o in objectives if o.pk == data.pop("objective"))
    ok = _attempt(
        form,
        lambda: templates.plan_template_goal_add(objective=objective, by=_editor(request), **data),
    )
    return form, ok


def _add_action(
    request: HttpRequest, _template: PlanTemplate, objectives: list[PlanTemplateObjective]
) -> tuple[Form, bool]:
    form = PlanTemplateActionForm(request.POST, prefix="action", objectives=_choices(objectives))
    if not form.is_valid():
        return form, False
    data = dict(form.cleaned_data)
    objective = next(o for o in objectives if o.pk == data.pop("objective"))
    ok = _attempt(
        form,
        lambda: templates.plan_template_action_add(
            objective=objective, by=_editor(request), **data
        ),
    )
    return form, ok


def template_remove(request: HttpRequest, part: str, pk: int) -> HttpResponse:
    """Ask before removing a template or one of its parts; remove on the confirming POST."""
    _director(request)
    assert request.user.is_authenticated  # LoginRequiredMiddleware
    model = PARTS.get(part)
    if model is None:
        raise Http404("No such part of a template")
    item = get_object_or_404(model, pk=pk)
    assert isinstance(
        item, PlanTemplate | PlanTemplateObjective | PlanTemplateGoal | PlanTemplateAction
    )
    owner = _template_of(item)
    if request.method == "POST":
        templates.plan_template_remove(item=item, by=request.user)
        messages.success(request, f"“{item}” removed.")
        if isinstance(item, PlanTemplate):
            return redirect("planning:plan_templates")
        return redirect("planning:plan_template", pk=owner.pk)
    return render(
        request,
        "planning/plan_template_remove.html",
        {"item": item, "part": part, "template": owner},
    )


def _template_of(item: templates.TemplateItem) -> PlanTemplate:
    if isinstance(item, PlanTemplate):
        return item
    if isinstance(item, PlanTemplateObjective):
        return item.template
    return item.objective.template
