"""Who reads survey answers: the one place a reader's names and accounts are decided.

Every page, export and API response that shows survey answers builds its
:class:`~tenure.feedback.anonymity.Scope` here, from the user who reads it:

* **names** — a respondent who agreed to share their name is named only to a reader who may
  see personal data (``accounts.permissions.can_see_personal_data``: not analysts, unless
  ``TENURE_ANALYST_PERSONAL_DATA``). Consent opens a name, and the reader's role must too.
* **accounts** — a reader who does not see every account (a key account manager with
  ``TENURE_KAM_SEES_ALL`` off) reads the answers of the accounts on their teams only; asking
  for another account is "not found", for another manager's accounts "forbidden", as for
  every other object.

The anonymity rule itself (groups, minimum group, quarters) is in ``feedback.anonymity``.
"""

from __future__ import annotations

import datetime as dt

from tenure.accounts.models import Account
from tenure.accounts.permissions import (
    AccessDenied,
    AnyUser,
    can_see_personal_data,
    require_view,
    role_of,
    sees_all_accounts,
)
from tenure.core.errors import DomainError, NotFound
from tenure.feedback.anonymity import Scope


def reader_scope(
    user: AnyUser | None,
    *,
    account: Account | None = None,
    account_id: int | None = None,
    tier: str = "",
    manager_id: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> Scope:
    """The answers ``user`` may read within the asked scope, with names only if allowed.

    Raises ``NotFound`` for an account the user may not see (or that does not exist),
    ``AccessDenied`` for another manager's accounts when the user sees only their own,
    and ``DomainError`` for a window that ends before it starts.
    """
    if role_of(user) is None:
        raise AccessDenied("sign in to read survey answers")
    if account_id is not None:
        account = Account.objects.filter(pk=account_id).only("pk").first()
        if account is None:
            raise NotFound(f"account {account_id} does not exist", field="account")
        require_view(user, account)
    restricted = not sees_all_accounts(user)
    if restricted and manager_id is not None and manager_id != getattr(user, "pk", None):
        raise AccessDenied("you see the survey answers of your own accounts only")
    if since and until and until < since:
        raise DomainError("the end of the window is before its start", field="until")
    return Scope(
        # Given as an object (a page that already checked the reader sees it) or as an id,
        # the account narrows the answers alike.
        account_id=account.pk if account is not None else None,
        tier=tier,
        manager_id=manager_id,
        since=since,
        until=until,
        names=can_see_personal_data(user),
        team_member_id=getattr(user, "pk", None) if restricted else None,
    )
