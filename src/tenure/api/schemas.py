"""Request and response bodies shared by the routers, and the people-data redaction.

Response schemas read model instances (with the selectors' annotations); request schemas
forbid unknown fields, so a typo is a 422 rather than silently ignored. Fields holding
personal data resolve to ``null`` for a reader who may not see it
(``access.permissions.can_see_personal_data``).
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db import models
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, StringConstraints, WithJsonSchema

from tenure.access.permissions import can_see_personal_data
from tenure.accounts.choices import (
    AccountStatus,
    BuyingRole,
    Channel,
    Seniority,
    TeamRole,
    Tier,
)
from tenure.accounts.selectors import ACCOUNT_SORTS


def _no_nul(value: str) -> str:
    # PostgreSQL refuses NUL in text; refuse it here as a 422 rather than fail in the database.
    if "\x00" in value:
        raise ValueError("text cannot contain NUL characters")
    return value


def text(max_length: int, *, min_length: int = 0) -> Any:
    """A string type of at most ``max_length`` characters, without NUL."""
    return Annotated[
        str,
        StringConstraints(min_length=min_length, max_length=max_length),
        AfterValidator(_no_nul),
    ]


def choice(choices: type[models.TextChoices], *, blank: bool = False) -> Any:
    """A ``Literal`` of a ``TextChoices``' values (and ``""`` when blank is allowed)."""
    values = tuple(choices.values) + (("",) if blank else ())
    return Literal[values]  # type: ignore[valid-type]


#: A database id: positive and within a 64-bit integer.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
#: Dates and times are kept within years the calendar code handles without overflow.
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2200, 12, 31)


def _plausible_day(value: dt.date) -> dt.date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"the date must lie between {EARLIEST} and {LATEST}")
    return value


def _plausible_moment(value: dt.datetime) -> dt.datetime:
    _plausible_day(value.date())
    return value


_RANGE = f"Between {EARLIEST} and {LATEST}."
Day = Annotated[
    dt.date,
    AfterValidator(_plausible_day),
    WithJsonSchema({"type": "string", "format": "date", "description": _RANGE}),
]
Moment = Annotated[
    dt.datetime,
    AfterValidator(_plausible_moment),
    WithJsonSchema(
        {"type": "string", "format": "date-time", "description": f"With a time zone. {_RANGE}"}
    ),
]


def decimal(*, signed: bool) -> Any:
    """A fixed-point amount with up to 14 digits before the point and 2 after.

    Documented as a string (how amounts are returned); plain JSON numbers are accepted too.
    """
    sign = "-?" if signed else ""
    return Annotated[
        Decimal,
        Field(max_digits=16, decimal_places=2, **({} if signed else {"ge": 0})),
        WithJsonSchema({"type": "string", "pattern": rf"^{sign}[0-9]{{1,14}}(\.[0-9]{{1,2}})?$"}),
    ]


Amount = decimal(signed=True)
Name = text(200, min_length=1)
LongText = text(10_000)
Money = decimal(signed=False)
Sort = Literal[tuple(ACCOUNT_SORTS)]  # type: ignore[valid-type]
AccountStatusValue = choice(AccountStatus)
TierValue = choice(Tier, blank=True)


class InputSchema(Schema):
    """A request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


def personal(context: Any, value: Any) -> Any:
    """``value`` if the request's user may see personal data, else ``None``."""
    request = (context or {}).get("request")
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    return value if can_see_personal_data(user) else None


class Created(Schema):
    id: int


# --- accounts --------------------------------------------------------------------------


class AccountOut(Schema):
    id: int
    name: str
    external_id: str | None
    industry: str
    country: str
    region: str
    employees: int | None
    founded_year: int | None
    website: str
    parent_id: int | None
    status: str
    tier: str
    is_key_account: bool
    key_account_since: dt.date | None
    potential_annual_spend: Decimal | None
    preferred_channels: list[str]
    characteristics: str
    is_seasonal: bool
    has_international_presence: bool
    is_entering_new_markets: bool
    pain_points: str
    manager_id: int | None = Field(None, description="The key account manager's user id.")
    manager_name: str | None = None
    last_interaction_at: dt.datetime | None = None
    last_strategic_at: dt.datetime | None = None
    has_open_issue: bool = False
    created_at: dt.datetime
    updated_at: dt.datetime


class AccountDetailOut(AccountOut):
    can_edit: bool = Field(description="Whether the caller may change this account.")


class AccountFields(InputSchema):
    external_id: text(100) | None = None
    industry: text(100) = ""
    country: Annotated[str, StringConstraints(pattern=r"^([A-Za-z]{2})?$")] = ""
    region: text(100) = ""
    employees: Annotated[int, Field(ge=0, le=2_147_483_647)] | None = None
    founded_year: Annotated[int, Field(ge=1600, le=2200)] | None = None
    website: text(200) = ""
    parent_id: Id | None = None
    status: AccountStatusValue = AccountStatus.ACTIVE.value
    potential_annual_spend: Money | None = None
    preferred_channels: list[choice(Channel)] = Field(default_factory=list, max_length=10)
    characteristics: LongText = ""
    is_seasonal: bool = False
    has_international_presence: bool = False
    is_entering_new_markets: bool = False
    pain_points: LongText = ""


class AccountIn(AccountFields):
    name: Name


class AccountPatch(AccountFields):
    """Only the fields sent are changed."""

    name: Name = None  # type: ignore[assignment]


class AccountFilters(Schema):
    search: text(200) = Field("", description="Part of the name, or the exact external id.")
    tier: choice(Tier) | None = None
    key: bool | None = Field(None, description="true: key accounts only.")
    status: AccountStatusValue | None = None
    manager: Id | None = Field(None, description="Key account manager's user id.")
    sort: Sort = "name"


# --- contacts, positions, team -------------------------------------------------------------


class PositionOut(Schema):
    id: int
    contact_id: int
    account_id: int
    contact_name: str = Field(alias="contact.full_name")
    title: str
    department: str
    buying_role: str
    seniority: str
    strength: int
    started_on: dt.date | None
    left_on: dt.date | None
    is_active: bool


class ContactOut(Schema):
    id: int
    first_name: str
    last_name: str
    email: str | None = Field(description="null when hidden from the caller's role.")
    phone: str | None = Field(description="null when hidden from the caller's role.")
    preferred_channel: str
    birthday: dt.date | None = Field(description="null when unknown or hidden.")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_email(obj: Any, context: Any) -> Any:
        return personal(context, obj.email)

    @staticmethod
    def resolve_phone(obj: Any, context: Any) -> Any:
        return personal(context, obj.phone)

    @staticmethod
    def resolve_birthday(obj: Any, context: Any) -> Any:
        return personal(context, obj.birthday)


class ContactDetailOut(ContactOut):
    positions: list[PositionOut]


class ContactFields(InputSchema):
    email: text(254) | None = None
    phone: text(40) = ""
    preferred_channel: choice(Channel, blank=True) = ""
    birthday: Day | None = None


class ContactIn(ContactFields):
    first_name: text(100, min_length=1)
    last_name: text(100, min_length=1)


class ContactPatch(ContactFields):
    first_name: text(100, min_length=1) = None  # type: ignore[assignment]
    last_name: text(100, min_length=1) = None  # type: ignore[assignment]


class PositionFields(InputSchema):
    title: text(150) = ""
    department: text(100) = ""
    buying_role: choice(BuyingRole, blank=True) = ""
    seniority: choice(Seniority, blank=True) = ""
    strength: Annotated[int, Field(ge=1, le=5)] = 3
    started_on: Day | None = None


class PositionIn(PositionFields):
    contact_id: Id


class PositionPatch(PositionFields):
    """Only the fields sent are changed."""


class PositionEndIn(InputSchema):
    left_on: Day


class StakeholderIn(InputSchema):
    """A person (reused when one with this email exists) and their position at the account."""

    person: ContactIn
    position: PositionFields = Field(default_factory=PositionFields)


class TeamMemberOut(Schema):
    id: int
    account_id: int
    user_id: int
    username: str = Field(alias="user.username")
    role: str


class TeamMemberIn(InputSchema):
    user_id: Id
    role: choice(TeamRole)


class HandoverIn(InputSchema):
    user_id: Id
