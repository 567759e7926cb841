"""Who is engaged at an account, by buying role, and which needed roles nobody holds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tenure.accounts.choices import BuyingRole
from tenure.accounts.models import Position

#: The roles a key relationship needs engaged; the others are nice to have.
NEEDED_ROLES = frozenset({"decision_maker", "economic_buyer", "champion"})


@dataclass(frozen=True)
class Coverage:
    """Who is engaged at the account today, by buying role, and which needed roles nobody holds."""

    active: list[Position]
    former: list[Position]
    by_role: list[tuple[str, list[Position]]]
    gaps: list[str]

    @property
    def single_threaded(self) -> bool:
        return len(self.active) == 1

    @property
    def gaps_text(self) -> str:
        """``nobody engaged as economic buyer or as champion``: each missing role named on its
        own, so "no economic buyer, champion engaged" cannot read as "a champion is engaged"."""
        roles = [label.lower() for label in self.gaps]
        if not roles:
            return ""
        if len(roles) == 1:
            return f"nobody engaged as {roles[0]}"
        return f"nobody engaged as {', as '.join(roles[:-1])} or as {roles[-1]}"

    @property
    def departments(self) -> list[str]:
        return sorted({p.department for p in self.active if p.department})


def coverage(positions: Sequence[Position]) -> Coverage:
    """The coverage of an account from all its positions, current and ended."""
    active = [p for p in positions if p.left_on is None]
    covered = {p.buying_role for p in active}
    gaps = [
        label for role, label in BuyingRole.choices if role in NEEDED_ROLES and role not in covered
    ]
    by_role = [
        (label, [p for p in active if p.buying_role == role])
        for role, label in [*BuyingRole.choices, ("", "No role recorded")]
    ]
    return Coverage(
        active=active,
        former=[p for p in positions if p.left_on is not None],
        by_role=[(label, people) for label, people in by_role if people],
        gaps=gaps,
    )
