"""Long lists paged in two steps: sort and count on narrow rows, load one page in full.

A list page sorts every matching row to show 25 or 50 of them. Sorting the full rows (joined
tables, annotations) means the database builds and sorts them all: at 25,000 open tasks or
50,000 accounts that alone exceeds a page's budget. Sorting only the keys and the ids, then
loading the page's rows by id, reads the same rows in the same order.
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
    """

    ordered = True  # for Django's Paginator: no warning about an unordered list

    def __init__(self, sorted_rows: QuerySet[M], load: Callable[[list[Any]], QuerySet[M]]) -> None:
        self._sorted = sorted_rows
        self._load = load

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
        ids = list(self._sorted.values_list("pk", flat=True)[index])
        rows = {row.pk: row for row in self._load(ids)}
        return [rows[pk] for pk in ids]

    def __iter__(self) -> Iterator[M]:
        # Every row, loaded: pagers only slice, this is for whoever wants the whole list.
        return iter(self[0 : len(self)])
