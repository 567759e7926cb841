"""Accounts: list (filter, sort, page), retrieve, create, update — and each account's team.

Writes go through ``tenure.accounts.services``; reads through ``tenure.accounts.selectors``.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from tenure.accounts import services
from tenure.accounts.choices import TeamRole
from tenure.accounts.models import Account, TeamMembership
from tenure.accounts.permissions import (
    AccessDenied,
    can_assign_managers,
    can_create_accounts,
    can_edit_account,
    visible_account_q,
)
from tenure.accounts.selectors import account_team
from tenure.api.errors import READ_ERRORS, WRITE_ERRORS
from tenure.api.guards import (
    account_for,
    caller,
    object_for,
    require_writer,
    user_for,
    visible_account_for,
)
from tenure.api.pagination import PageNumber
from tenure.api.schemas import (
    AccountDetailOut,
    AccountFilters,
    AccountIn,
    AccountOut,
    AccountPatch,
    HandoverIn,
    Id,
    TeamMemberIn,
    TeamMemberOut,
)
from tenure.health.selectors import account_lifetime_value
from tenure.web.account_index import AccountFilters as ListFilters
from tenure.web.account_index import account_list, account_rows

router = Router(tags=["accounts"])


def _fields(
    request: HttpRequest, payload: AccountIn | AccountPatch, *, partial: bool
) -> dict[str, Any]:
    fields = payload.model_dump(exclude_unset=partial)
    if "parent_id" in fields:
        parent_id = fields.pop("parent_id")
        fields["parent"] = None
        if parent_id is not None:
            fields["parent"] = visible_account_for(request, parent_id, field="parent_id")
    return fields


def _detail(request: HttpRequest, account: Account) -> Account:
    """The account with the list's annotations (manager, last contacts, open issues) and CLV."""
    annotated = account_list().get(pk=account.pk)
    annotated.can_edit = can_edit_account(caller(request), account)  # type: ignore[attr-defined]
    annotated.lifetime_value = account_lifetime_value(account.pk)  # type: ignore[attr-defined]
    return annotated


@router.get("/accounts", response={200: list[AccountOut], **READ_ERRORS})
@paginate(PageNumber)
def account_index(request: HttpRequest, filters: Query[AccountFilters]) -> Any:
    """Accounts the caller may see, filtered and sorted like the accounts page."""
    wanted = ListFilters(
        search=filters.search,
        tier=filters.tier or "",
        key_only=bool(filters.key),
        manager_id=filters.manager,
        status=filters.status or "",
    )
    return account_rows(
        filters=wanted, sort=filters.sort, visible=visible_account_q(caller(request))
    )


@router.get("/accounts/{account_id}", response={200: AccountDetailOut, **READ_ERRORS})
def account_get(request: HttpRequest, account_id: Id) -> Any:
    """One account, with whether the caller may change it."""
    return _detail(request, account_for(request, account_id))


@router.post("/accounts", response={201: AccountDetailOut, **WRITE_ERRORS})
def account_create(request: HttpRequest, payload: AccountIn) -> Any:
    """Create an account (admins and directors)."""
    require_writer(request)
    if not can_create_accounts(caller(request)):
        raise AccessDenied("only admins and directors create accounts")
    fields = _fields(request, payload, partial=False)
    account = services.account_create(by=caller(request), **fields)
    return Status(201, _detail(request, account))


@router.patch("/accounts/{account_id}", response={200: AccountDetailOut, **WRITE_ERRORS})
def account_update(request: HttpRequest, account_id: Id, payload: AccountPatch) -> Any:
    """Change the fields sent; the others stay as they are."""
    account = account_for(request, account_id, write=True)
    fields = _fields(request, payload, partial=True)
    services.account_update(account=account, by=caller(request), **fields)
    return _detail(request, account)


# --- team ----------------------------------------------------------------------------------


@router.get("/accounts/{account_id}/team", response={200: list[TeamMemberOut], **READ_ERRORS})
def team_index(request: HttpRequest, account_id: Id) -> Any:
    """Who is on the account's team, in which role."""
    return list(account_team(account=account_for(request, account_id)))


@router.post("/accounts/{account_id}/team", response={201: TeamMemberOut, **WRITE_ERRORS})
def team_add(request: HttpRequest, account_id: Id, payload: TeamMemberIn) -> Any:
    """Put a user on the team. Appointing the key account manager is for directors."""
    account = account_for(request, account_id, write=True)
    if payload.role == TeamRole.KEY_ACCOUNT_MANAGER and not can_assign_managers(caller(request)):
        raise AccessDenied("only admins and directors appoint key account managers", field="role")
    user = user_for(payload.user_id, field="user_id")
    membership = services.team_assign(account=account, user=user, role=payload.role)
    return Status(201, account_team(account=account).get(pk=membership.pk))


@router.post("/accounts/{account_id}/team/handover", response={200: TeamMemberOut, **WRITE_ERRORS})
def team_handover(request: HttpRequest, account_id: Id, payload: HandoverIn) -> Any:
    """Make another user the key account manager (admins and directors)."""
    account = account_for(request, account_id, write=True)
    if not can_assign_managers(caller(request)):
        raise AccessDenied("only admins and directors hand accounts over")
    user = user_for(payload.user_id, field="user_id")
    membership = services.team_handover(account=account, to_user=user)
    return account_team(account=account).get(pk=membership.pk)


@router.delete("/team/{membership_id}", response={204: None, **WRITE_ERRORS})
def team_remove(request: HttpRequest, membership_id: Id) -> Any:
    """Take a user off a team. Removing the key account manager is for directors."""
    membership = object_for(
        request,
        TeamMembership.objects.select_related("account"),
        membership_id,
        account_of=lambda m: m.account,
        label="team membership",
        write=True,
    )
    if membership.role == TeamRole.KEY_ACCOUNT_MANAGER and not can_assign_managers(caller(request)):
        raise AccessDenied("only admins and directors remove key account managers")
    services.team_remove(membership=membership)
    return Status(204, None)
