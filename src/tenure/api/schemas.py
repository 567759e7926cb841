"""Request and response bodies shared by the routers, and the people-data redaction.

Response schemas read model instances (with the selectors' annotations); request schemas
forbid unknown fields, so a typo is a 422 rather than silently ignored. Fields holding
personal data resolve to ``null`` for a reader who may not see it
(``accounts.permissions.can_see_personal_data``).
"""

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from annotated_types import GroupedMetadata
from django.db import models
from ninja import Field, Schema
from pydantic import (
    AfterValidator,
    ConfigDict,
    GetCoreSchemaHandler,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import core_schema

from tenure.accounts.choices import (
    AccountStatus,
    BuyingRole,
    Channel,
    Seniority,
    TeamRole,
    Tier,
)
from tenure.accounts.countries import country_code
from tenure.accounts.permissions import can_see_personal_data
from tenure.web.account_index import ACCOUNT_SORTS


def _no_nul(value: str) -> str:
    # PostgreSQL refuses NUL in text; refuse it here as a 422 rather than fail in the database.
    if "\x00" in value:
        raise ValueError("text cannot contain NUL characters")
    return value


@dataclass(frozen=True)
class Text(GroupedMetadata):
    """``Annotated[str, Text(n)]``: a string of at most ``n`` characters, without NUL.

    Metadata rather than a type-returning function, so the annotation stays a type a type
    checker reads (``str``).
    """

    max_length: int
    min_length: int = 0

    def __iter__(self) -> Iterator[object]:
        # Pydantic expands grouped metadata one level only, so flatten the constraints here.
        yield from StringConstraints(min_length=self.min_length, max_length=self.max_length)
        yield AfterValidator(_no_nul)


class Choice:
    """``Annotated[str, Choice(SomeTextChoices)]``: one of the values (``""`` too if blank).

    Validated and documented exactly as the matching ``Literal`` (an enum in the schema);
    the type checker reads ``str``.
    """

    def __init__(
        self, choices: type[models.TextChoices] | Iterable[str], *, blank: bool = False
    ) -> None:
        values = choices.values if isinstance(choices, type) else list(choices)
        self.values: tuple[str, ...] = tuple(values) + (("",) if blank else ())

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return handler(Literal[self.values])


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


#: A country as the accounts import and pages read it (`tenure.accounts.countries`): an ISO
#: 3166 alpha-2 or alpha-3 code or an English name, stored as its alpha-2 code.
Country = Annotated[
    str,
    Text(100),
    AfterValidator(country_code),
    WithJsonSchema(
        {
            "type": "string",
            "description": "ISO 3166 alpha-2 or alpha-3 code, or the English name "
            "(DE, DEU, Germany); answered as the alpha-2 code. Empty: none.",
        }
    ),
]
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


def _amount_json_schema(*, signed: bool) -> WithJsonSchema:
    # Documented as a string (how amounts are returned); plain JSON numbers are accepted too.
    sign = "-?" if signed else ""
    return WithJsonSchema({"type": "string", "pattern": rf"^{sign}[0-9]{{1,14}}(\.[0-9]{{1,2}})?$"})


#: A fixed-point amount with up to 14 digits before the point and 2 after.
Amount = Annotated[
    Decimal, Field(max_digits=16, decimal_places=2), _amount_json_schema(signed=True)
]
#: An amount that cannot be negative.
Money = Annotated[
    Decimal, Field(max_digits=16, decimal_places=2, ge=0), _amount_json_schema(signed=False)
]
Name = Annotated[str, Text(200, min_length=1)]
LongText = Annotated[str, Text(10_000)]
Sort = Annotated[str, Choice(ACCOUNT_SORTS)]
AccountStatusValue = Annotated[str, Choice(AccountStatus)]


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


class LifetimeValueOut(Schema):
    as_of: dt.date = Field(description="The scoring run's date.")
    currency: str = Field(description="The reporting currency of clv, clv_low and clv_high.")
    months: int | None = Field(description="The CLV horizon in months.")
    clv: Decimal | None = Field(description="Discounted value of the orders expected.")
    clv_low: Decimal | None = Field(description="Low end of CLV's 90 % interval.")
    clv_high: Decimal | None = Field(description="High end of CLV's 90 % interval.")
    p_alive: float | None = Field(description="Probability the account is still buying.")
    p_alive_low: float | None = Field(description="Low end of p_alive's 90 % interval.")
    p_alive_high: float | None = Field(description="High end of p_alive's 90 % interval.")
    model: str | None = Field(description="The transaction model the run used.")
    identified: bool | None = Field(description="Whether the data identify that model's fit.")
    fallback: bool | None = Field(
        description="True when the maximum-likelihood fits were not identified and the "
        "regularised (MAP) fit named in model was used."
    )
    note: str | None = Field(
        description="What to know about the fit before trusting the figures (null when the "
        "fit is identified)."
    )


class AccountDetailOut(AccountOut):
    can_edit: bool = Field(description="Whether the caller may change this account.")
    lifetime_value: LifetimeValueOut | None = Field(
        None,
        description="The latest scoring run's CLV and probability alive with their 90 % "
        "intervals (parametric bootstrap over the model's parameters); null before the "
        "account's first run.",
    )


class AccountFields(InputSchema):
    external_id: Annotated[str, Text(100)] | None = None
    industry: Annotated[str, Text(100)] = ""
    country: Country = ""
    region: Annotated[str, Text(100)] = ""
    employees: Annotated[int, Field(ge=0, le=2_147_483_647)] | None = None
    founded_year: Annotated[int, Field(ge=1600, le=2200)] | None = None
    website: Annotated[str, Text(200)] = ""
    parent_id: Id | None = None
    status: AccountStatusValue = AccountStatus.ACTIVE.value
    potential_annual_spend: Money | None = None
    preferred_channels: list[Annotated[str, Choice(Channel)]] = Field(
        default_factory=list, max_length=10
    )
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
    search: Annotated[str, Text(200)] = Field(
        "", description="Part of the name, or the exact external id."
    )
    tier: Annotated[str, Choice(Tier)] | None = None
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
    email: Annotated[str, Text(254)] | None = None
    phone: Annotated[str, Text(40)] = ""
    preferred_channel: Annotated[str, Choice(Channel, blank=True)] = ""
    birthday: Day | None = None


class ContactIn(ContactFields):
    first_name: Annotated[str, Text(100, min_length=1)]
    last_name: Annotated[str, Text(100, min_length=1)]


class ContactPatch(ContactFields):
    first_name: Annotated[str, Text(100, min_length=1)] = None  # type: ignore[assignment]
    last_name: Annotated[str, Text(100, min_length=1)] = None  # type: ignore[assignment]


class PositionFields(InputSchema):
    title: Annotated[str, Text(150)] = ""
    department: Annotated[str, Text(100)] = ""
    buying_role: Annotated[str, Choice(BuyingRole, blank=True)] = ""
    seniority: Annotated[str, Choice(Seniority, blank=True)] = ""
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
    role: Annotated[str, Choice(TeamRole)]


class HandoverIn(InputSchema):
    user_id: Id
