"""Plan pages: create a plan, add objectives, goals and actions, close it; log milestones."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tenure.accounts.models import Account
from tenure.accounts.permissions import account_guard, can_edit_account
from tenure.core.errors import DomainError
from tenure.planning import services
from tenure.planning.choices import ActionStatus
from tenure.planning.forms import (
    ActionForm,
    CloseForm,
    GoalForm,
    MilestoneForm,
    ObjectiveForm,
    PlanForm,
    ResolveForm,
)
from tenure.planning.models import AccountPlan, Action, Milestone, Objective
from tenure.planning.onboarding_services import can_edit_templates
from tenure.planning.plan_templates import plan_create_from_template, plan_templates

T = TypeVar("T")


def _attempt(form: Form, write: Callable[[], T]) -> T | None:
    """Run a service write and return what it wrote; a refused rule becomes a form error."""
    try:
        return write()
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return None


def plan_new(request: HttpRequest, account_id: int) -> HttpResponse:
    assert request.user.is_authenticated  # LoginRequiredMiddleware
    owner = request.user
    account = get_object_or_404(Account, pk=account_id)
    account_guard(request, account, write=True)
    form = PlanForm(request.POST or None, initial={"template": request.GET.get("template")})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        template = data.pop("template")
        if template is None:
            plan = _attempt(
                form, lambda: services.plan_create(account=account, owner=owner, **data)
            )
        else:
            plan = _attempt(
                form,
                lambda: plan_create_from_template(
                    account=account,
                    template=template,
                    owner=owner,
                    as_of=timezone.localdate(),
                    **data,
                ),
            )
        if plan is not None:
            done = "Check the objectives, goals and actions the template filled in."
            messages.success(
                request,
                f"Plan created. {done if template else 'Add its objectives, goals and actions.'}",
            )
            return redirect("planning:plan", pk=plan.pk)
    context = {
        "account": account,
        "form": form,
        "templates": list(plan_templates()),
        "can_edit_templates": can_edit_templates(request.user),
    }
    return render(request, "planning/plan_new.html", context)


def _plan(pk: int) -> AccountPlan:
    return get_object_or_404(
        AccountPlan.objects.select_related("account", "owner").prefetch_related(
            "objectives__goals", "actions__owner"
        ),
        pk=pk,
    )


def plan_page(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(pk)
    account_guard(request, plan.account, write=request.method == "POST")
    objectives = list(plan.objectives.all())
    forms = {
        "objective_form": ObjectiveForm(prefix="objective"),
        "goal_form": GoalForm(prefix="goal", objectives=[(o.pk, o.title) for o in objectives]),
        "action_form": ActionForm(prefix="action", initial={"owner": request.user.pk}),
        "close_form": CloseForm(prefix="close", initial={"closed_on": timezone.localdate()}),
    }
    if request.method == "POST":
        step = request.POST.get("step")
        handler = {
            "objective": _add_objective,
            "goal": _add_goal,
            "action": _add_action,
            "close": _close,
        }.get(step or "")
        if handler is not None:
            form, done = handler(request, plan, objectives)
            if done:
                return redirect("planning:plan", pk=plan.pk)
            forms[f"{step}_form"] = form
    context = {
        "plan": plan,
        "objectives": objectives,
        "actions": list(plan.actions.all()),
        "can_edit": can_edit_account(request.user, plan.account),
        **forms,
    }
    return render(request, "planning/plan.html", context)


def _add_objective(
    request: HttpRequest, plan: AccountPlan, _objectives: list[Objective]
) -> tuple[Form, bool]:
    form = ObjectiveForm(request.POST, prefix="objective")
    ok = form.is_valid() and None is not _attempt(
        form, lambda: services.objective_add(plan=plan, **form.cleaned_data)
    )
    if ok:
        messages.success(request, "Objective added.")
    return form, ok


def _add_goal(
    request: HttpRequest, _plan: AccountPlan, objectives: list[Objective]
) -> tuple[Form, bool]:
    form = GoalForm(request.POST, prefix="goal", objectives=[(o.pk, o.title) for o in objectives])
    if not form.is_valid():
        return form, False
    data = dict(form.cleaned_data)
    objective = next(o for o in objectives if o.pk == data.pop("objective"))
    ok = _attempt(form, lambda: services.goal_add(objective=objective, **data)) is not None
    if ok:
        messages.success(request, "Goal added.")
    return form, ok


def _add_action(
    request: HttpRequest, plan: AccountPlan, _objectives: list[Objective]
) -> tuple[Form, bool]:
    form = ActionForm(request.POST, prefix="action")
    ok = form.is_valid() and None is not _attempt(
        form, lambda: services.action_add(plan=plan, **form.cleaned_data)
    )
    if ok:
        messages.success(request, "Action added.")
    return form, ok


def _close(
    request: HttpRequest, plan: AccountPlan, _objectives: list[Objective]
) -> tuple[Form, bool]:
    form = CloseForm(request.POST, prefix="close")
    ok = form.is_valid() and None is not _attempt(
        form, lambda: services.plan_close(plan=plan, **form.cleaned_data)
    )
    if ok:
        messages.success(request, "Plan closed; its open actions were cancelled.")
    return form, ok


@require_POST
def action_finish(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(Action.objects.select_related("plan__account"), pk=pk)
    account_guard(request, action.plan.account, write=True)
    status = request.POST.get("status", ActionStatus.DONE)
    try:
        services.action_finish(action=action, status=status, on=timezone.localdate())
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"“{action.title}” marked {action.get_status_display().lower()}.")
    return redirect("planning:plan", pk=action.plan_id)


def milestone_new(request: HttpRequest, account_id: int) -> HttpResponse:
    assert request.user.is_authenticated  # LoginRequiredMiddleware
    logged_by = request.user
    account = get_object_or_404(Account, pk=account_id)
    account_guard(request, account, write=True)
    form = MilestoneForm(request.POST or None, initial={"occurred_on": timezone.localdate()})
    if (
        request.method == "POST"
        and form.is_valid()
        and _attempt(
            form,
            lambda: services.milestone_log(
                account=account, logged_by=logged_by, **form.cleaned_data
            ),
        )
        is not None
    ):
        messages.success(request, "Logged.")
        return redirect(account.get_absolute_url() + "?tab=timeline#milestones-h")
    return render(request, "planning/milestone_new.html", {"account": account, "form": form})


def milestone_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_object_or_404(Milestone.objects.select_related("account"), pk=pk)
    account_guard(request, milestone.account, write=True)
    form = ResolveForm(request.POST or None, initial={"resolved_on": timezone.localdate()})
    if (
        request.method == "POST"
        and form.is_valid()
        and _attempt(
            form,
            lambda: services.milestone_resolve(milestone=milestone, **form.cleaned_data),
        )
        is not None
    ):
        messages.success(request, f"“{milestone.title}” resolved.")
        return redirect(milestone.account.get_absolute_url() + "?tab=timeline#milestones-h")
    return render(
        request, "planning/milestone_resolve.html", {"milestone": milestone, "form": form}
    )
