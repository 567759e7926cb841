"""Interactions (what happened) and touchpoints (what is planned) of an account.

Interaction notes (summary, outcome, next step) are ``null`` for roles without personal
data, and birthday touchpoints are left out for them.
"""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from tenure.accounts.models import Contact
from tenure.accounts.selectors import contacts_visible
from tenure.api.errors import READ_ERRORS, WRITE_ERRORS
from tenure.api.guards import account_for, caller, object_for, user_for
from tenure.api.pagination import PageNumber
from tenure.api.schemas import Choice, Day, Id, InputSchema, Moment, Text, personal
from tenure.core.errors import NotFound
from tenure.engagement import services
from tenure.engagement.choices import InteractionKind, TouchpointKind
from tenure.engagement.models import Interaction, Touchpoint
from tenure.engagement.selectors import account_interactions, account_touchpoints

router = Router(tags=["engagement"])


class InteractionOut(Schema):
    id: int
    account_id: int
    occurred_at: dt.datetime
    kind: str
    is_strategic: bool
    summary: str | None = Field(description="null when hidden from the caller's role.")
    outcome: str | None
    next_step: str | None
    next_step_due: dt.date | None
    sentiment: int
    contact_ids: list[int]
    team_member_ids: list[int]
    logged_by_id: int | None
    created_at: dt.datetime

    @staticmethod
    def resolve_summary(obj: Interaction, context: Any) -> Any:
        return personal(context, obj.summary)

    @staticmethod
    def resolve_outcome(obj: Interaction, context: Any) -> Any:
        return personal(context, obj.outcome)

    @staticmethod
    def resolve_next_step(obj: Interaction, context: Any) -> Any:
        return personal(context, obj.next_step)

    @staticmethod
    def resolve_contact_ids(obj: Interaction) -> list[int]:
        return [contact.pk for contact in obj.contacts.all()]

    @staticmethod
    def resolve_team_member_ids(obj: Interaction) -> list[int]:
        return [user.pk for user in obj.team_members.all()]


class InteractionIn(InputSchema):
    occurred_at: Moment = Field(description="With a time zone, e.g. 2026-03-02T10:00:00+01:00.")
    kind: Annotated[str, Choice(InteractionKind)]
    summary: Annotated[str, Text(5000, min_length=1)]
    is_strategic: bool = False
    contact_ids: list[Id] = Field(default_factory=list, max_length=50)
    outcome: Annotated[str, Text(5000)] = ""
    next_step: Annotated[str, Text(300)] = ""
    next_step_due: Day | None = None
    sentiment: Annotated[int, Field(ge=-1, le=1)] = 0
    touchpoint_id: Id | None = Field(None, description="A planned touchpoint this fulfils.")


class TouchpointOut(Schema):
    id: int
    account_id: int
    scheduled_on: dt.date
    kind: str
    title: str
    owner_id: int | None
    contact_id: int | None
    status: str
    interaction_id: int | None
    skip_reason: str


class TouchpointIn(InputSchema):
    scheduled_on: Day
    kind: Annotated[str, Choice(TouchpointKind)]
    title: Annotated[str, Text(200)] = ""
    owner_id: Id | None = None
    contact_id: Id | None = None


class TouchpointCompleteIn(InputSchema):
    interaction_id: Id | None = None


class TouchpointSkipIn(InputSchema):
    reason: Annotated[str, Text(300)] = Field("", description="Why it did not take place.")


def _interactions() -> Any:
    return Interaction.objects.select_related("account").prefetch_related(
        "contacts", "team_members"
    )


def _touchpoint(request: HttpRequest, pk: int, *, write: bool = False) -> Touchpoint:
    touchpoint = object_for(
        request,
        Touchpoint.objects.select_related("account"),
        pk,
        account_of=lambda t: t.account,
        label="touchpoint",
        write=write,
    )
    if touchpoint.kind == TouchpointKind.BIRTHDAY:
        hidden = account_touchpoints(user=caller(request), account=touchpoint.account).filter(pk=pk)
        if not hidden.exists():
            raise NotFound(f"touchpoint {pk} does not exist", field="id")
    return touchpoint


@router.get(
    "/accounts/{account_id}/interactions", response={200: list[InteractionOut], **READ_ERRORS}
)
@paginate(PageNumber)
def interaction_index(request: HttpRequest, account_id: Id) -> Any:
    """The account's interactions, newest first."""
    return account_interactions(account=account_for(request, account_id))


@router.get("/interactions/{interaction_id}", response={200: InteractionOut, **READ_ERRORS})
def interaction_get(request: HttpRequest, interaction_id: Id) -> Any:
    """One interaction."""
    return object_for(
        request,
        _interactions(),
        interaction_id,
        account_of=lambda i: i.account,
        label="interaction",
    )


@router.post("/accounts/{account_id}/interactions", response={201: InteractionOut, **WRITE_ERRORS})
def interaction_create(request: HttpRequest, account_id: Id, payload: InteractionIn) -> Any:
    """Log an interaction; the caller is recorded as present and as the one who logged it."""
    account = account_for(request, account_id, write=True)
    wanted = list(dict.fromkeys(payload.contact_ids))
    contacts = list(contacts_visible(user=caller(request)).filter(pk__in=wanted))
    if len(contacts) != len(wanted):
        missing = sorted(set(wanted) - {c.pk for c in contacts})
        raise NotFound(f"contact {missing[0]} does not exist", field="contact_ids")
    touchpoint = None
    if payload.touchpoint_id is not None:
        touchpoint = Touchpoint.objects.filter(pk=payload.touchpoint_id, account=account).first()
        if touchpoint is None:
            raise NotFound(
                f"touchpoint {payload.touchpoint_id} does not exist", field="touchpoint_id"
            )
    user = caller(request)
    interaction = services.interaction_log(
        account=account,
        occurred_at=payload.occurred_at,
        kind=payload.kind,
        summary=payload.summary,
        is_strategic=payload.is_strategic,
        contacts=contacts,
        team_members=[user],
        logged_by=user,
        outcome=payload.outcome,
        next_step=payload.next_step,
        next_step_due=payload.next_step_due,
        sentiment=payload.sentiment,
        touchpoint=touchpoint,
    )
    return Status(201, _interactions().get(pk=interaction.pk))


@router.get(
    "/accounts/{account_id}/touchpoints", response={200: list[TouchpointOut], **READ_ERRORS}
)
@paginate(PageNumber)
def touchpoint_index(request: HttpRequest, account_id: Id) -> Any:
    """The account's touchpoints, soonest first."""
    return account_touchpoints(user=caller(request), account=account_for(request, account_id))


@router.get("/touchpoints/{touchpoint_id}", response={200: TouchpointOut, **READ_ERRORS})
def touchpoint_get(request: HttpRequest, touchpoint_id: Id) -> Any:
    """One touchpoint."""
    return _touchpoint(request, touchpoint_id)


@router.post("/accounts/{account_id}/touchpoints", response={201: TouchpointOut, **WRITE_ERRORS})
def touchpoint_create(request: HttpRequest, account_id: Id, payload: TouchpointIn) -> Any:
    """Plan a touchpoint with the account."""
    account = account_for(request, account_id, write=True)
    contact = None
    if payload.contact_id is not None:
        contact = Contact.objects.filter(pk=payload.contact_id, positions__account=account).first()
        if contact is None:
            raise NotFound(
                f"contact {payload.contact_id} has no position at this account",
                field="contact_id",
            )
    touchpoint = services.touchpoint_plan(
        account=account,
        scheduled_on=payload.scheduled_on,
        kind=payload.kind,
        title=payload.title,
        owner=user_for(payload.owner_id, field="owner_id"),
        contact=contact,
    )
    return Status(201, touchpoint)


@router.post("/touchpoints/{touchpoint_id}/complete", response={200: TouchpointOut, **WRITE_ERRORS})
def touchpoint_complete(
    request: HttpRequest, touchpoint_id: Id, payload: TouchpointCompleteIn
) -> Any:
    """Mark a planned touchpoint done, optionally linked to the interaction that fulfilled it."""
    touchpoint = _touchpoint(request, touchpoint_id, write=True)
    interaction = None
    if payload.interaction_id is not None:
        interaction = Interaction.objects.filter(
            pk=payload.interaction_id, account_id=touchpoint.account_id
        ).first()
        if interaction is None:
            raise NotFound(
                f"interaction {payload.interaction_id} does not exist", field="interaction_id"
            )
    return services.touchpoint_complete(touchpoint=touchpoint, interaction=interaction)


@router.post("/touchpoints/{touchpoint_id}/skip", response={200: TouchpointOut, **WRITE_ERRORS})
def touchpoint_skip(request: HttpRequest, touchpoint_id: Id, payload: TouchpointSkipIn) -> Any:
    """Mark a planned touchpoint skipped, optionally saying why."""
    return services.touchpoint_skip(
        touchpoint=_touchpoint(request, touchpoint_id, write=True), reason=payload.reason
    )
