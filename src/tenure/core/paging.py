"""Long lists paged in two steps: sort and count on narrow rows, load one page in full.

A list page sorts every matching row to show 25 or 50 of them. Sorting the full rows (joined
tables, annotations) means the database builds and sorts them all: at 25,000 open tasks or
50,000 accounts that alone exceeds a page's budget. Sorting only the keys and the ids, then
loading the page's rows by id, reads the same rows in the same order.

Where the sort's first key is a column of the list's own table that is never null and has an
index (a task's due date), even the narrow sort is avoidable: the page's first and last
values of that key are read from the index alone, and only the rows between them are sorted
on the full key (a few hundred of 25,000 open tasks whose second key is the account's name,
a join every row needed before).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar, overload

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


class PagedRows(Generic[M]):
    """A sequence for Django's ``Paginator`` (and the API's page numbers) over ``sorted_rows``.

    ``sorted_rows`` is the filtered, ordered queryset (only what the sort needs annotated);
    ``load`` turns a list of ids into a queryset of full rows (joins, annotations). A slice
    returns the page's objects in the sorted order.

    ``lead``, when given, is ``sorted_rows``' first ordering key (``"due_on"`` or
    ``"-raised_on"``): a non-null column of the model itself. A slice then sorts only the rows
    whose lead value lies within the page's (see the module's note).
    """

    ordered = True  # for Django's Paginator: no warning about an unordered list

    def __init__(
        self,
        sorted_rows: QuerySet[M],
        load: Callable[[list[Any]], QuerySet[M]],
        *,
        lead: str | None = None,
    ) -> None:
        self._sorted = sorted_rows
        self._load = load
        self._lead = lead
        if lead is not None and sorted_rows.query.order_by[:1] != (lead,):
            raise ValueError(f"lead {lead!r} is not the first key of {sorted_rows.query.order_by}")

    def count(self) -> int:
        return self._sorted.count()

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> M: ...
    @overload
    def __getitem__(self, index: slice) -> list[M]: ...
    def __getitem__(self, index: int | slice) -> M | list[M]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        ids = self._ids(index) if self._lead is not None else None
        if ids is None:
            ids = list(self._sorted.values_list("pk", flat=True)[index])
        rows = {row.pk: row for row in self._load(ids)}
        return [rows[pk] for pk in ids]

    def _ids(self, index: slice) -> list[Any] | None:
        """The page's ids through the lead key, or None where a plain slice is needed."""
        start, stop, step = index.start or 0, index.stop, index.step
        if step not in (None, 1) or stop is None or start < 0 or stop <= start:
            return None
        assert self._lead is not None
        column = self._lead.lstrip("-")
        descending = self._lead.startswith("-")
        # The lead values of the page's first and last rows: their order in the full sort is
        # theirs in a sort on the lead alone, which an index on the lead serves.
        values = list(self._sorted.order_by(self._lead).values_list(column, flat=True)[start:stop])
        if not values:
            return []
        first, last = values[0], values[-1]
        low, high = (last, first) if descending else (first, last)
        earlier = self._sorted.filter(**{f"{column}__{'gt' if descending else 'lt'}": first})
        skipped = earlier.count()
        window = self._sorted.filter(**{f"{column}__gte": low, f"{column}__lte": high})
        offset = start - skipped
        return list(window.values_list("pk", flat=True)[offset : offset + len(values)])

    def __iter__(self) -> Iterator[M]:
        # Every row, loaded: pagers only slice, this is for whoever wants the whole list.
        return iter(self[0 : len(self)])
