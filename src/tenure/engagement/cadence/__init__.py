"""Cadence: stay close to every account without going overboard.

A cadence policy (``CadencePolicy``) sets, per segment (key accounts, tiers A/B/C, untiered
accounts) and overridable per account:

* the **minimum rhythm**: a contact at least every N days, a *strategic* contact at least
  every M days, and the share of contacts that must be strategic;
* the **maximum**: at most K contacts with the account per period, and at most J with any
  one person per period.

What counts as a contact: interactions that happened (on their local date) and planned
touchpoints from today on (a past touchpoint that is still "planned" did not happen). The
person budget sums every channel: interactions the person took part in, touchpoints
planned with them, and whatever other apps register with :func:`register_contact_source`
(survey invitations), so nobody is flooded by the sum of well-meant contacts.

"Too many in a period" means in *any* window of ``period_days`` consecutive days: a check
for a new contact on a date looks at every window containing that date, so a burst of
planned touchpoints next week counts against a call today.
"""

from tenure.engagement.cadence.budget import (
    CHANNEL_MANAGER,
    BudgetDecision,
    ContactEvent,
    ContactSource,
    contact_budget_allows,
    contact_budgets,
    contact_events,
    register_contact_source,
    unregister_contact_source,
)
from tenure.engagement.cadence.policies import NO_POLICY, PolicyTerms, policy_for, segment_of
from tenure.engagement.cadence.status import (
    CadenceState,
    CadenceStatus,
    cadence_check,
    cadence_status,
    cadence_statuses,
)

__all__ = [
    "CHANNEL_MANAGER",
    "NO_POLICY",
    "BudgetDecision",
    "CadenceState",
    "CadenceStatus",
    "ContactEvent",
    "ContactSource",
    "PolicyTerms",
    "cadence_check",
    "cadence_status",
    "cadence_statuses",
    "contact_budget_allows",
    "contact_budgets",
    "contact_events",
    "policy_for",
    "register_contact_source",
    "segment_of",
    "unregister_contact_source",
]
