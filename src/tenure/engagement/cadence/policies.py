"""Cadence policies: which numbers apply to an account, and where they come from."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Q

from tenure.accounts.models import Account
from tenure.engagement.models import CadencePolicy, CadenceSegment

__all__ = ["NO_POLICY", "PolicyTerms", "policy_for", "segment_of"]


@dataclass(frozen=True)
class PolicyTerms:
    """The numbers of the cadence policy that applies to an account, and where they come from."""

    source: str
    contact_every_days: int | None = None
    strategic_every_days: int | None = None
    period_days: int = 30
    max_contacts: int | None = None
    max_contacts_per_person: int | None = None
    min_strategic_percent: int = 0
    share_window_days: int = 180
    is_override: bool = False

    @classmethod
    def of(cls, policy: CadencePolicy) -> PolicyTerms:
        source = "this account" if policy.account_id else policy.get_segment_display()
        return cls(
            source=str(source),
            contact_every_days=policy.contact_every_days,
            strategic_every_days=policy.strategic_every_days,
            period_days=policy.period_days,
            max_contacts=policy.max_contacts,
            max_contacts_per_person=policy.max_contacts_per_person,
            min_strategic_percent=policy.min_strategic_percent,
            share_window_days=policy.share_window_days,
            is_override=policy.account_id is not None,
        )

    @property
    def person_rate(self) -> float:
        """Contacts per day one person may get; infinite without a person limit."""
        if self.max_contacts_per_person is None:
            return float("inf")
        return self.max_contacts_per_person / self.period_days


#: What applies when no policy exists at all: no minimum, no maximum.
NO_POLICY = PolicyTerms(source="no policy")


def segment_of(account: Account) -> str:
    """The segment whose policy an account follows: key accounts first, then its tier."""
    if account.is_key_account:
        return CadenceSegment.KEY
    return account.tier or CadenceSegment.OTHER


@dataclass(frozen=True)
class _Policies:
    by_segment: dict[str, PolicyTerms]
    by_account: dict[int, PolicyTerms]

    @classmethod
    def load(cls, account_ids: Collection[int] | None = None) -> _Policies:
        if account_ids is None:
            rows = CadencePolicy.objects.all()
        else:
            rows = CadencePolicy.objects.filter(
                Q(account__isnull=True) | Q(account_id__in=list(account_ids))
            )
        by_segment, by_account = {}, {}
        for policy in rows:
            if policy.account_id is None:
                by_segment[policy.segment] = PolicyTerms.of(policy)
            else:
                by_account[policy.account_id] = PolicyTerms.of(policy)
        return cls(by_segment, by_account)

    def for_account(self, account: Account) -> PolicyTerms:
        override = self.by_account.get(account.pk)
        if override is not None:
            return override
        return self.by_segment.get(segment_of(account), NO_POLICY)


def policy_for(account: Account) -> PolicyTerms:
    """The cadence policy an account follows: its override, else its segment's."""
    return _Policies.load([account.pk]).for_account(account)
