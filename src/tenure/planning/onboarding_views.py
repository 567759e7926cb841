"""Onboarding pages: an account's checklist (tick a step), and the directors' template."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tenure.accounts.models import Account
from tenure.accounts.permissions import account_guard, can_edit_account
from tenure.core.errors import DomainError
from tenure.planning import onboarding_services as services
from tenure.planning.forms import OnboardingStepTemplateForm
from tenure.planning.models import OnboardingStep, OnboardingStepTemplate
from tenure.planning.onboarding_selectors import onboarding_for_account, onboarding_template_steps


def onboarding_page(request: HttpRequest, account_id: int) -> HttpResponse:
    account = get_object_or_404(Account, pk=account_id)
    account_guard(request, account, write=False)
    context = {
        "account": account,
        "onboarding": onboarding_for_account(account=account, as_of=timezone.localdate()),
        "can_edit": can_edit_account(request.user, account),
        "can_edit_template": services.can_edit_templates(request.user),
        "back": request.get_full_path(),
    }
    return render(request, "planning/onboarding.html", context)


def _back(request: HttpRequest, account_id: int) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("planning:onboarding", args=[account_id])
    return redirect(target)


def _step(request: HttpRequest, pk: int) -> OnboardingStep:
    step = get_object_or_404(OnboardingStep.objects.select_related("onboarding__account"), pk=pk)
    account_guard(request, step.onboarding.account, write=True)
    return step


@require_POST
def step_tick(request: HttpRequest, pk: int) -> HttpResponse:
    assert request.user.is_authenticated  # LoginRequiredMiddleware
    step = _step(request, pk)
    try:
        services.onboarding_step_tick(step=step, by=request.user, on=timezone.localdate())
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"“{step.title}” ticked.")
    return _back(request, step.onboarding.account_id)


@require_POST
def step_untick(request: HttpRequest, pk: int) -> HttpResponse:
    assert request.user.is_authenticated  # LoginRequiredMiddleware
    step = _step(request, pk)
    try:
        services.onboarding_step_untick(step=step, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Tick taken back from “{step.title}”.")
    return _back(request, step.onboarding.account_id)


def _require_director(request: HttpRequest) -> None:
    if not services.can_edit_templates(request.user):
        raise PermissionDenied("Only a director changes the onboarding template.")


def template_page(request: HttpRequest) -> HttpResponse:
    """The steps every new key account's checklist starts with; add, change, reorder."""
    _require_director(request)
    assert request.user.is_authenticated  # LoginRequiredMiddleware
    user = request.user
    steps = list(onboarding_template_steps())
    add_form = OnboardingStepTemplateForm(prefix="new")
    edit_forms = {
        s.pk: OnboardingStepTemplateForm(
            prefix=f"step{s.pk}",
            initial={"title": s.title, "auto_check": s.auto_check, "due_days": s.due_days},
        )
        for s in steps
    }
    if request.method == "POST":
        by_pk = {s.pk: s for s in steps}
        target = by_pk.get(int(request.POST.get("step") or 0))
        verb = request.POST.get("do", "")
        try:
            if verb == "add":
                add_form = OnboardingStepTemplateForm(request.POST, prefix="new")
                if add_form.is_valid():
                    services.onboarding_template_step_add(by=user, **add_form.cleaned_data)
                    messages.success(request, "Step added; it applies to the next promotions.")
                    return redirect("planning:onboarding_template")
            elif verb == "save" and target is not None:
                form = OnboardingStepTemplateForm(request.POST, prefix=f"step{target.pk}")
                edit_forms[target.pk] = form
                if form.is_valid():
                    services.onboarding_template_step_update(
                        step=target, by=user, **form.cleaned_data
                    )
                    messages.success(request, f"“{target.title}” saved.")
                    return redirect("planning:onboarding_template")
            elif verb in ("up", "down") and target is not None:
                services.onboarding_template_step_move(step=target, up=verb == "up", by=user)
                return redirect("planning:onboarding_template")
        except DomainError as error:
            messages.error(request, error.message)
    rows = [(s, edit_forms[s.pk]) for s in steps]
    return render(
        request, "planning/onboarding_template.html", {"rows": rows, "add_form": add_form}
    )


def template_step_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask before removing a step from the template; remove it on the confirming POST."""
    _require_director(request)
    assert request.user.is_authenticated  # LoginRequiredMiddleware
    step = get_object_or_404(OnboardingStepTemplate, pk=pk)
    if request.method == "POST":
        services.onboarding_template_step_remove(step=step, by=request.user)
        messages.success(request, f"“{step.title}” removed from the template.")
        return redirect("planning:onboarding_template")
    return render(request, "planning/onboarding_step_remove.html", {"step": step})
