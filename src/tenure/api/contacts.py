"""People (contacts) and their positions at accounts.

A person is visible with any account they hold a position at; changing a person needs
the right to change an account they currently sit at, and placing someone who sits at an
account the caller may not change needs a director (``tenure.accounts.services``).
Emails, phones and birthdays are ``null`` for roles without personal data.
"""

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from tenure.accounts import services
from tenure.accounts.models import Contact, Position
from tenure.accounts.selectors import account_positions, contact_with_positions, contacts_visible
from tenure.api.errors import READ_ERRORS, WRITE_ERRORS
from tenure.api.guards import account_for, caller, object_for, require_writer
from tenure.api.pagination import PageNumber
from tenure.api.schemas import (
    ContactDetailOut,
    ContactIn,
    ContactOut,
    ContactPatch,
    Id,
    PositionEndIn,
    PositionIn,
    PositionOut,
    PositionPatch,
    StakeholderIn,
    Text,
)
from tenure.core.errors import NotFound

router = Router(tags=["contacts"])


class ContactFilters(Schema):
    search: Annotated[str, Text(200)] = Field(
        "",
        description=(
            "Part of a name, of a company, or (for roles that see personal data) of an email."
        ),
    )
    account: Id | None = Field(None, description="Only people with a position at this account.")


def _contact(request: HttpRequest, contact_id: Id) -> Contact:
    contact = contact_with_positions(user=caller(request)).filter(pk=contact_id).first()
    if contact is None:
        raise NotFound(f"contact {contact_id} does not exist", field="id")
    return contact


def _position(request: HttpRequest, position_id: Id, *, write: bool = False) -> Position:
    return object_for(
        request,
        Position.objects.select_related("account", "contact"),
        position_id,
        account_of=lambda p: p.account,
        label="position",
        write=write,
    )


@router.get("/contacts", response={200: list[ContactOut], **READ_ERRORS})
@paginate(PageNumber)
def contact_index(request: HttpRequest, filters: Query[ContactFilters]) -> Any:
    """People the caller may see, by last name."""
    if filters.account is not None:
        account_for(request, filters.account)
    return contacts_visible(user=caller(request), search=filters.search, account_id=filters.account)


@router.get("/contacts/{contact_id}", response={200: ContactDetailOut, **READ_ERRORS})
def contact_get(request: HttpRequest, contact_id: Id) -> Any:
    """One person with their positions at the accounts the caller may see."""
    return _contact(request, contact_id)


@router.post("/contacts", response={201: ContactDetailOut, **WRITE_ERRORS})
def contact_create(request: HttpRequest, payload: ContactIn) -> Any:
    """Create a person (without a position; add one with ``POST …/positions``)."""
    require_writer(request)
    contact = services.contact_create(**payload.model_dump())
    # A new person has no positions yet: nothing to narrow.
    return Status(201, Contact.objects.prefetch_related("positions").get(pk=contact.pk))


@router.patch("/contacts/{contact_id}", response={200: ContactDetailOut, **WRITE_ERRORS})
def contact_update(request: HttpRequest, contact_id: Id, payload: ContactPatch) -> Any:
    """Change the fields sent."""
    contact = _contact(request, contact_id)
    require_writer(request)
    services.contact_update(
        contact=contact, by=caller(request), **payload.model_dump(exclude_unset=True)
    )
    return _contact(request, contact_id)


@router.get("/accounts/{account_id}/positions", response={200: list[PositionOut], **READ_ERRORS})
@paginate(PageNumber)
def position_index(request: HttpRequest, account_id: Id) -> Any:
    """The account's stakeholders: current positions first, then people who left."""
    return account_positions(account=account_for(request, account_id))


@router.post("/accounts/{account_id}/positions", response={201: PositionOut, **WRITE_ERRORS})
def position_add(request: HttpRequest, account_id: Id, payload: PositionIn) -> Any:
    """Give a known person a position at the account."""
    account = account_for(request, account_id, write=True)
    fields = payload.model_dump()
    contact_id = fields.pop("contact_id")
    contact = contacts_visible(user=caller(request)).filter(pk=contact_id).first()
    if contact is None:
        raise NotFound(f"contact {contact_id} does not exist", field="contact_id")
    position = services.position_add(contact=contact, account=account, by=caller(request), **fields)
    return Status(201, _position(request, position.pk))


@router.post("/accounts/{account_id}/stakeholders", response={201: PositionOut, **WRITE_ERRORS})
def stakeholder_add(request: HttpRequest, account_id: Id, payload: StakeholderIn) -> Any:
    """Add a person to the account: the one with this email if known, else a new contact."""
    account = account_for(request, account_id, write=True)
    position = services.stakeholder_add(
        account=account,
        person=payload.person.model_dump(),
        position=payload.position.model_dump(),
        by=caller(request),
    )
    return Status(201, _position(request, position.pk))


@router.get("/positions/{position_id}", response={200: PositionOut, **READ_ERRORS})
def position_get(request: HttpRequest, position_id: Id) -> Any:
    """One position."""
    return _position(request, position_id)


@router.patch("/positions/{position_id}", response={200: PositionOut, **WRITE_ERRORS})
def position_update(request: HttpRequest, position_id: Id, payload: PositionPatch) -> Any:
    """Change a position's title, role, strength… (the fields sent)."""
    position = _position(request, position_id, write=True)
    services.position_update(position=position, **payload.model_dump(exclude_unset=True))
    return _position(request, position_id)


@router.post("/positions/{position_id}/end", response={200: PositionOut, **WRITE_ERRORS})
def position_end(request: HttpRequest, position_id: Id, payload: PositionEndIn) -> Any:
    """Record that the person left the account."""
    position = _position(request, position_id, write=True)
    services.position_end(position=position, left_on=payload.left_on)
    return _position(request, position_id)
