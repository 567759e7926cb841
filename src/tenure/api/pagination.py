"""Page-number pagination with the total: ``?page=2&page_size=50``."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


class PageNumber(PaginationBase):
    """Items of one page, the total number of items and pages. A page past the end is empty."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000, description="Page number, from 1.")
        page_size: int = Field(
            DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items per page."
        )

    class Output(Schema):
        items: list[Any]
        total: int
        page: int
        page_size: int
        pages: int

    items_attribute = "items"

    def paginate_queryset(
        self,
        queryset: QuerySet | list[Any],
        pagination: Input,
        request: HttpRequest,  # noqa: ARG002
        **params: Any,
    ) -> dict[str, Any]:
        # ninja annotates a QuerySet, but its _items_count falls back to len() for a list.
        total = self._items_count(queryset)  # type: ignore[arg-type]
        size = pagination.page_size
        start = (pagination.page - 1) * size
        return {
            "items": list(queryset[start : start + size]) if start < total else [],
            "total": total,
            "page": pagination.page,
            "page_size": size,
            "pages": -(-total // size),
        }
