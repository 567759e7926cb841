"""The checks that complete onboarding steps by themselves, and where apps register them.

A check takes onboardings and answers, for those where its step is done, a line of
evidence ("Key account manager: Alex Morgan"). Planning checks what it can see (the team,
the stakeholder map, the plans). The checks on data of the apps above planning (a meeting
planned, a survey sent) are registered by ``tenure.alerts`` when Django starts: planning
must not import the apps above it, and a step whose check is not registered is simply
ticked by hand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from tenure.accounts.choices import BuyingRole, TeamRole
from tenure.accounts.models import Position, TeamMembership
from tenure.planning.choices import Horizon, OnboardingCheck, PlanStatus
from tenure.planning.models import AccountPlan, Onboarding

#: onboardings → {onboarding id: evidence} for those whose step is done
Check = Callable[[Sequence[Onboarding]], dict[int, str]]

_CHECKS: dict[str, Check] = {}

#: The roles a stakeholder map must name before the step is done.
KEY_ROLES = (BuyingRole.DECISION_MAKER, BuyingRole.CHAMPION)


def onboarding_check_register(check: str, evaluate: Check) -> None:
    """Make ``evaluate`` the check of the steps marked ``check`` (an ``OnboardingCheck``)."""
    if check not in OnboardingCheck.values or check == OnboardingCheck.MANUAL:
        raise ValueError(f"not an automatic onboarding check: {check!r}")
    _CHECKS[check] = evaluate


def onboarding_checks_registered() -> frozenset[str]:
    return frozenset(_CHECKS)


def onboarding_checks_holding(
    onboardings: Sequence[Onboarding], checks: set[str]
) -> dict[tuple[int, str], str]:
    """``{(onboarding id, check): evidence}`` for every check among ``checks`` that holds.

    One query or so per check, whatever the number of onboardings.
    """
    holding: dict[tuple[int, str], str] = {}
    if not onboardings:
        return holding
    for check in sorted(checks & set(_CHECKS)):
        for onboarding_id, evidence in _CHECKS[check](onboardings).items():
            holding[(onboarding_id, check)] = evidence
    return holding


def _by_account(onboardings: Sequence[Onboarding]) -> dict[int, list[Onboarding]]:
    accounts: dict[int, list[Onboarding]] = defaultdict(list)
    for onboarding in onboardings:
        accounts[onboarding.account_id].append(onboarding)
    return accounts


def team_check(onboardings: Sequence[Onboarding]) -> dict[int, str]:
    """The account's team has a key account manager."""
    accounts = _by_account(onboardings)
    managers = TeamMembership.objects.filter(
        account_id__in=list(accounts), role=TeamRole.KEY_ACCOUNT_MANAGER
    ).select_related("user")
    found = {}
    for membership in managers:
        name = membership.user.get_full_name() or membership.user.get_username()
        for onboarding in accounts[membership.account_id]:
            found[onboarding.pk] = f"Key account manager: {name}"
    return found


def stakeholders_check(onboardings: Sequence[Onboarding]) -> dict[int, str]:
    """Current positions at the account name a decision maker and a champion."""
    accounts = _by_account(onboardings)
    positions = (
        Position.objects.filter(
            account_id__in=list(accounts), buying_role__in=KEY_ROLES, left_on__isnull=True
        )
        .select_related("contact")
        .order_by("account_id", "buying_role", "contact__last_name", "id")
    )
    named: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for position in positions:
        named[position.account_id][position.buying_role].append(str(position.contact))
    found = {}
    for account_id, roles in named.items():
        if all(roles.get(role) for role in KEY_ROLES):
            evidence = "; ".join(
                f"{BuyingRole(role).label.lower()}: {', '.join(roles[role])}" for role in KEY_ROLES
            )
            for onboarding in accounts[account_id]:
                found[onboarding.pk] = evidence[:1].upper() + evidence[1:]
    return found


def plans_check(onboardings: Sequence[Onboarding]) -> dict[int, str]:
    """The account has an active short-term and an active long-term plan."""
    accounts = _by_account(onboardings)
    plans = AccountPlan.objects.filter(
        account_id__in=list(accounts), status=PlanStatus.ACTIVE
    ).order_by("account_id", "-starts_on", "-id")
    titles: dict[int, dict[str, str]] = defaultdict(dict)
    for plan in plans:
        titles[plan.account_id].setdefault(plan.horizon, plan.title)
    found = {}
    for account_id, by_horizon in titles.items():
        if Horizon.SHORT in by_horizon and Horizon.LONG in by_horizon:
            evidence = (
                f"Short-term plan “{by_horizon[Horizon.SHORT]}”, "
                f"long-term plan “{by_horizon[Horizon.LONG]}”"
            )
            for onboarding in accounts[account_id]:
                found[onboarding.pk] = evidence
    return found


onboarding_check_register(OnboardingCheck.TEAM, team_check)
onboarding_check_register(OnboardingCheck.STAKEHOLDERS, stakeholders_check)
onboarding_check_register(OnboardingCheck.PLANS, plans_check)
