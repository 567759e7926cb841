"""The qualification sheet of one account: each rated criterion with its weight, its
rating, who gave it and when.

People rate the qualitative criteria (strategic value, market influence…) 1–5; the scoring
run turns the ratings into half the qualification score. This module reads; the write is
``tenure.scoring.services.rating_set``.
"""

from __future__ import annotations

from dataclasses import dataclass

from tenure.accounts.models import Account
from tenure.insights.segmentation import DEFAULT_QUALIFICATION, Scorecard
from tenure.scoring.choices import QualitativeCriterion
from tenure.scoring.models import QualificationRating, QualificationScorecard


@dataclass(frozen=True)
class CriterionRow:
    """One qualitative criterion of the active scorecard, and the account's rating of it."""

    key: str
    label: str
    #: The criterion's share of the whole scorecard's weight, 0–100.
    weight_percent: float
    rating: QualificationRating | None


@dataclass(frozen=True)
class QualificationSheet:
    """What the qualification partial shows for one account."""

    rows: list[CriterionRow]
    scorecard_version: str

    @property
    def rated(self) -> int:
        return sum(1 for row in self.rows if row.rating is not None)

    @property
    def rated_weight_percent(self) -> float:
        """The share of the scorecard's weight the people's ratings given so far carry."""
        return sum(row.weight_percent for row in self.rows if row.rating is not None)

    @property
    def weight_percent(self) -> float:
        """The share of the scorecard's weight that rests on people's ratings."""
        return sum(row.weight_percent for row in self.rows)


def scorecard_in_force() -> Scorecard:
    """The active qualification scorecard, or the default one before any is saved.

    Reads only: a page (a GET) must not save the default version as
    ``services.scorecard_current`` does on first use.
    """
    row = QualificationScorecard.objects.filter(is_active=True).first()
    return DEFAULT_QUALIFICATION if row is None else Scorecard.from_dict(row.definition)


def qualification_sheet(*, account: Account) -> QualificationSheet:
    """The rows of the account's qualification sheet, ratings and raters loaded (2 queries)."""
    card = scorecard_in_force()
    total = sum(c.weight for c in card.criteria) or 1.0
    ratings = {
        r.criterion: r
        for r in QualificationRating.objects.filter(account=account).select_related("rated_by")
    }
    labels = dict(QualitativeCriterion.choices)
    rows = [
        CriterionRow(
            key=c.source,
            label=str(labels.get(c.source, c.label)),
            weight_percent=100.0 * c.weight / total,
            rating=ratings.get(c.source),
        )
        for c in card.criteria
        if c.kind == "qualitative" and c.source in labels
    ]
    return QualificationSheet(rows=rows, scorecard_version=card.version)
