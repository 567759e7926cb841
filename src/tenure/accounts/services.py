"""Writes with business rules for accounts, contacts, positions and account teams.

Views, the API, the CLI, imports and the demo generator all call these; none of them
calls ``.save()`` on these models directly.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction

from tenure.accounts.choices import TeamRole
from tenure.accounts.countries import UnknownCountry, country_code
from tenure.accounts.models import Account, Contact, Position, TeamMembership
from tenure.accounts.permissions import (
    AccessDenied,
    AnyUser,
    can_edit_account,
    can_view_account,
    require_edit_contact,
    require_place_contact,
)
from tenure.audit.services import audit_record_bulk
from tenure.core.errors import DomainError, NotFound
from tenure.core.validation import check_rows, validate_and_save

ACCOUNT_FIELDS = frozenset(
    {
        "name",
        "external_id",
        "industry",
        "country",
        "region",
        "employees",
        "founded_year",
        "website",
        "parent",
        "status",
        "tier",
        "potential_annual_spend",
        "potential_spend_source",
        "potential_spend_as_of",
        "preferred_channels",
        "characteristics",
        "is_seasonal",
        "seasonal_notes",
        "has_international_presence",
        "is_entering_new_markets",
        "customer_objectives",
        "culture",
        "pain_points",
    }
)
CONTACT_FIELDS = frozenset(
    {"first_name", "last_name", "email", "phone", "preferred_channel", "birthday"}
)
POSITION_FIELDS = frozenset(
    {"title", "department", "buying_role", "seniority", "strength", "started_on"}
)


def _check_fields(given: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(given) - allowed)
    if unknown:
        raise DomainError(f"unknown field(s): {', '.join(unknown)}", field=unknown[0])


def normalise_account_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Trim the external id; read the country as a code or English name (`country_code`).

    Raises
    ------
    DomainError
        The country names no country (field ``country``).
    """
    if "external_id" in fields:
        value = (fields["external_id"] or "").strip()
        fields["external_id"] = value or None
    if "country" in fields:
        try:
            fields["country"] = country_code(fields["country"])
        except UnknownCountry as error:
            raise DomainError(str(error), field="country") from error
    return fields


@transaction.atomic
def account_create(*, name: str, by: AnyUser | None = None, **fields: Any) -> Account:
    """Create an account; ``external_id`` must be unique when given.

    ``by`` is the user asking (``None`` for the system); see ``account_update`` for the
    group (``parent``) they may choose.
    """
    _check_fields(fields, ACCOUNT_FIELDS)
    account = Account(name=name.strip(), **normalise_account_fields(fields))
    _refuse_taken_external_id(account)
    if account.parent is not None and by is not None:
        _require_parent(by, account.parent)
    validate_and_save(account)
    return account


@transaction.atomic
def account_update(*, account: Account, by: AnyUser | None = None, **fields: Any) -> Account:
    """Change an account's profile fields. Key-account status has its own services.

    ``by`` is the user asking (``None`` for the system: CLI, imports); their right to
    change ``account`` is checked by the caller. Putting the account into a group
    (``parent``) also needs the right to change the group's account: a manager may not
    hang their account under another manager's.
    """
    _check_fields(fields, ACCOUNT_FIELDS)
    old_parent_id = account.parent_id
    for name, value in normalise_account_fields(fields).items():
        setattr(account, name, value)
    _refuse_taken_external_id(account)
    if account.parent is not None and account.parent_id != old_parent_id and by is not None:
        _require_parent(by, account.parent)
    if account.parent_id is not None and is_self_or_subsidiary(account, account.parent_id):
        raise DomainError("an account cannot belong to one of its own subsidiaries", field="parent")
    validate_and_save(account)
    return account


def _require_parent(by: AnyUser, parent: Account) -> None:
    if not can_view_account(by, parent):
        # Hidden: answered as if it did not exist.
        raise NotFound(f"account {parent.pk} does not exist", field="parent")
    if not can_edit_account(by, parent):
        raise AccessDenied(
            f"you may not change {parent.name}, so you may not put an account into its group",
            field="parent",
        )


def _refuse_taken_external_id(account: Account) -> None:
    if account.external_id is None:
        return
    other = Account.objects.filter(external_id=account.external_id).exclude(pk=account.pk).first()
    if other is not None:
        raise DomainError(
            f"external id {account.external_id} already belongs to {other.name}",
            field="external_id",
        )


def is_self_or_subsidiary(account: Account, parent_id: int) -> bool:
    """True when ``parent_id`` is ``account`` itself or one of its descendants."""
    seen: set[int] = set()
    current: int | None = parent_id
    while current is not None and current not in seen:
        if current == account.pk:
            return True
        seen.add(current)
        current = Account.objects.filter(pk=current).values_list("parent_id", flat=True).first()
    return False


@transaction.atomic
def account_potential_set(
    *,
    account: Account,
    potential: Decimal | None,
    source: str = "",
    as_of: dt.date | None,
    today: dt.date,
) -> Account:
    """Enter or override the team's potential annual spend (``None`` clears it).

    The figure must be positive and plausible (the field's validators), and its date not
    after ``today``. A figure below what the account already buys is accepted (the team may
    know better than our ledger) and flagged wherever it is shown.
    """
    if potential is None:
        return account_update(
            account=account,
            potential_annual_spend=None,
            potential_spend_source="",
            potential_spend_as_of=None,
        )
    if as_of is not None and as_of > today:
        raise DomainError(
            f"the figure's date cannot be after today ({today:%d %b %Y})",
            field="potential_spend_as_of",
        )
    return account_update(
        account=account,
        potential_annual_spend=potential,
        potential_spend_source=source.strip(),
        potential_spend_as_of=as_of or today,
    )


PROFILE_FIELDS = frozenset(
    {
        "is_seasonal",
        "seasonal_notes",
        "has_international_presence",
        "is_entering_new_markets",
        "customer_objectives",
        "culture",
        "pain_points",
    }
)


@transaction.atomic
def account_profile_update(
    *,
    account: Account,
    today: dt.date,
    potential: Decimal | None,
    potential_source: str = "",
    potential_as_of: dt.date | None = None,
    **fields: Any,
) -> Account:
    """Correct the profile the team keeps by hand: seasons, markets, objectives, culture,
    pain points, and the potential spend.

    The potential spend follows ``account_potential_set``'s rules, and is only written when
    it, its source or its date changed: saving the notes does not re-date the figure.
    The caller checks the user's right to change ``account``.
    """
    _check_fields(fields, PROFILE_FIELDS)
    for name in ("seasonal_notes", "customer_objectives", "culture", "pain_points"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    account_update(account=account, **fields)
    unchanged = (
        potential == account.potential_annual_spend
        and potential_source.strip() == account.potential_spend_source
        and (potential_as_of is None or potential_as_of == account.potential_spend_as_of)
    )
    if not unchanged:
        account_potential_set(
            account=account,
            potential=potential,
            source=potential_source,
            as_of=potential_as_of,
            today=today,
        )
    return account


@transaction.atomic
def account_designate_key(*, account: Account, since: dt.date) -> Account:
    """Put an account on the key-account list. It must have a key account manager."""
    account = Account.objects.select_for_update().get(pk=account.pk)
    if not account.team.filter(role=TeamRole.KEY_ACCOUNT_MANAGER).exists():
        raise DomainError(
            f"{account.name} has no key account manager: assign one before making it a key account",
            field="team",
        )
    account.is_key_account = True
    account.key_account_since = since
    validate_and_save(account)
    return account


@transaction.atomic
def account_remove_key(*, account: Account) -> Account:
    """Take an account off the key-account list (its team and history stay)."""
    account.is_key_account = False
    account.key_account_since = None
    validate_and_save(account)
    return account


@transaction.atomic
def team_assign(*, account: Account, user: User, role: str) -> TeamMembership:
    """Put a user on an account's team in a role. One key account manager per account."""
    if role not in TeamRole.values:
        raise DomainError(f"unknown team role {role!r}", field="role")
    if role == TeamRole.KEY_ACCOUNT_MANAGER:
        current = (
            TeamMembership.objects.select_related("user")
            .filter(account=account, role=TeamRole.KEY_ACCOUNT_MANAGER)
            .exclude(user=user)
            .first()
        )
        if current is not None:
            raise DomainError(
                f"{account.name} already has a key account manager "
                f"({current.user.get_username()}); hand the account over instead",
                field="role",
            )
    membership, _ = TeamMembership.objects.get_or_create(account=account, user=user, role=role)
    return membership


@transaction.atomic
def team_member_add(*, account: Account, user: User, role: str) -> TeamMembership:
    """Put a user on the team from a page: like ``team_assign``, but a role the user already
    holds is refused with a message instead of being kept silently."""
    if TeamMembership.objects.filter(account=account, user=user, role=role).exists():
        label = TeamRole(role).label if role in TeamRole.values else role
        raise DomainError(
            f"{user.get_full_name() or user.get_username()} is already "
            f"{label.lower()} on {account.name}",
            field="user",
        )
    return team_assign(account=account, user=user, role=role)


@transaction.atomic
def team_handover(*, account: Account, to_user: User) -> TeamMembership:
    """Make ``to_user`` the key account manager, replacing whoever held the role."""
    TeamMembership.objects.filter(account=account, role=TeamRole.KEY_ACCOUNT_MANAGER).delete()
    return TeamMembership.objects.create(
        account=account, user=to_user, role=TeamRole.KEY_ACCOUNT_MANAGER
    )


@transaction.atomic
def team_remove(*, membership: TeamMembership) -> None:
    """Remove a team role. The manager of a key account cannot simply be removed."""
    is_key = Account.objects.filter(pk=membership.account_id, is_key_account=True).exists()
    if membership.role == TeamRole.KEY_ACCOUNT_MANAGER and is_key:
        raise DomainError(
            "a key account must keep its key account manager: hand it over instead",
            field="role",
        )
    membership.delete()


def normalise_contact_fields(fields: dict[str, Any]) -> dict[str, Any]:
    if "email" in fields:
        fields["email"] = (fields["email"] or "").strip().lower() or None
    return fields


def _refuse_taken_email(contact: Contact) -> None:
    if contact.email is None:
        return
    other = Contact.objects.filter(email__iexact=contact.email).exclude(pk=contact.pk).first()
    if other is not None:
        raise DomainError(
            f"{contact.email} already belongs to {other.full_name}: one person per email address",
            field="email",
        )


@transaction.atomic
def contact_create(*, first_name: str, last_name: str, **fields: Any) -> Contact:
    """Create a person. One person per email address (case-insensitive)."""
    _check_fields(fields, CONTACT_FIELDS)
    contact = Contact(
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        **normalise_contact_fields(fields),
    )
    _refuse_taken_email(contact)
    validate_and_save(contact)
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, by: AnyUser | None, **fields: Any) -> Contact:
    """Change a person's details.

    ``by`` is the user asking (``None`` for the system: CLI, imports, demo). A user needs
    the right to change the person: a current position at an account they may change.
    """
    if by is not None:
        require_edit_contact(by, contact)
    _check_fields(fields, CONTACT_FIELDS)
    for name, value in normalise_contact_fields(fields).items():
        setattr(contact, name, value)
    _refuse_taken_email(contact)
    validate_and_save(contact)
    return contact


@transaction.atomic
def position_add(
    *, contact: Contact, account: Account, by: AnyUser | None, **fields: Any
) -> Position:
    """Link a person to an account with a title, department, role and strength.

    ``by`` is the user asking (``None`` for the system: CLI, imports, demo); their right to
    change ``account`` is checked by the caller. A person who currently sits at an account
    ``by`` may not change can only be placed by a director: a position is what gives the
    right to change a person.
    """
    if by is not None:
        require_place_contact(by, contact)
    _check_fields(fields, POSITION_FIELDS)
    position = Position(contact=contact, account=account, **fields)
    validate_and_save(position)
    return position


@transaction.atomic
def position_update(*, position: Position, **fields: Any) -> Position:
    """Change a position's title, role, strength…"""
    _check_fields(fields, POSITION_FIELDS)
    for name, value in fields.items():
        setattr(position, name, value)
    validate_and_save(position)
    return position


@transaction.atomic
def stakeholder_update(
    *,
    position: Position,
    person: dict[str, Any],
    position_fields: dict[str, Any],
    by: AnyUser | None,
) -> Position:
    """Correct a person's details and their position at one account in one go.

    ``person`` may be empty (the user may not change the person, see ``contact_update``);
    the caller checks the right to change the position's account.
    """
    if person:
        contact_update(contact=position.contact, by=by, **person)
    return position_update(position=position, **position_fields)


@transaction.atomic
def position_end(*, position: Position, left_on: dt.date) -> Position:
    """Record that a person left an account. Their history stays with the account."""
    if position.left_on is not None:
        raise DomainError(f"{position.contact} already left on {position.left_on}", field="left_on")
    position.left_on = left_on
    validate_and_save(position)
    return position


@transaction.atomic
def account_create_many(*, rows: list[dict[str, Any]]) -> list[Account]:
    """Create many accounts in one transaction: all or none.

    Each row holds the same fields as ``account_create``. A bad row is named by number.
    """
    accounts = []
    for number, row in enumerate(rows, start=1):
        fields = dict(row)
        name = str(fields.pop("name", "")).strip()
        try:
            _check_fields(fields, ACCOUNT_FIELDS)
            normalise_account_fields(fields)
        except DomainError as error:
            raise DomainError(f"row {number}: {error.message}", field=error.field) from error
        accounts.append(Account(name=name, **fields))
    check_rows(accounts)
    created = Account.objects.bulk_create(accounts, batch_size=1000)
    audit_record_bulk(model=Account, action="create", count=len(created), note="bulk create")
    return created


@transaction.atomic
def account_create_from_keys(*, rows: list[tuple[str, str, str]]) -> int:
    """Create accounts known only by ``(name, external_id, country)``, all or none.

    The order import creates one per unknown account key: 198,905 through
    `account_create_many` took 20 s, nearly all of it Django preparing the same defaults
    for every one of each row's 24 fields. Here the defaults are prepared once and only the
    three given fields are checked per row. Returns how many were created.
    """
    template = Account(name="-", external_id="-", country="")
    fields = [f for f in Account._meta.concrete_fields if not f.primary_key]
    connection = connections[router.db_for_write(Account)]
    defaults = [
        field.get_db_prep_save(field.pre_save(template, add=True), connection) for field in fields
    ]
    names = [field.name for field in fields]
    slots = [names.index(name) for name in ("name", "external_id", "country")]
    values = []
    for number, row in enumerate(rows, start=1):
        record = list(defaults)
        for slot, value in zip(slots, row, strict=True):
            field = fields[slot]
            try:
                record[slot] = field.get_db_prep_save(field.clean(value, template), connection)
            except ValidationError as error:
                raise DomainError(
                    f"row {number}: {field.name}: {' '.join(error.messages)}", field=field.name
                ) from error
        values.append(record)
    table = connection.ops.quote_name(Account._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(field.column or field.attname) for field in fields
    )
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(values), 5_000):
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                values[start : start + 5_000],
            )
    audit_record_bulk(model=Account, action="create", count=len(values), note="bulk create")
    return len(values)


@transaction.atomic
def contact_create_many(*, rows: list[dict[str, Any]]) -> list[Contact]:
    """Create many people in one transaction: all or none."""
    contacts = []
    for number, row in enumerate(rows, start=1):
        fields = dict(row)
        try:
            _check_fields(fields, CONTACT_FIELDS)
        except DomainError as error:
            raise DomainError(f"row {number}: {error.message}", field=error.field) from error
        contacts.append(Contact(**normalise_contact_fields(fields)))
    check_rows(contacts)
    created = Contact.objects.bulk_create(contacts, batch_size=1000)
    audit_record_bulk(model=Contact, action="create", count=len(created), note="bulk create")
    return created


@transaction.atomic
def position_add_many(*, rows: list[dict[str, Any]]) -> list[Position]:
    """Create many positions (each row has ``contact`` and ``account``) in one transaction."""
    positions = []
    for number, row in enumerate(rows, start=1):
        fields = dict(row)
        contact, account = fields.pop("contact"), fields.pop("account")
        left_on = fields.pop("left_on", None)
        try:
            _check_fields(fields, POSITION_FIELDS)
        except DomainError as error:
            raise DomainError(f"row {number}: {error.message}", field=error.field) from error
        positions.append(Position(contact=contact, account=account, left_on=left_on, **fields))
    check_rows(positions)
    created = Position.objects.bulk_create(positions, batch_size=1000)
    audit_record_bulk(model=Position, action="create", count=len(created), note="bulk create")
    return created


@transaction.atomic
def stakeholder_add(
    *, account: Account, person: dict[str, Any], position: dict[str, Any], by: AnyUser | None
) -> Position:
    """Add a person to an account: reuse the contact with that email, or create one.

    A person known from another account keeps their history there (a former champion
    turning up at a new customer is worth knowing about). Placing a known person follows
    ``position_add``'s rule for ``by``.
    """
    email = (person.get("email") or "").strip().lower()
    contact = Contact.objects.filter(email__iexact=email).first() if email else None
    if contact is None:
        contact = contact_create(**person)
    return position_add(contact=contact, account=account, by=by, **position)
