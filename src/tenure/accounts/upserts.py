"""Create-or-update many accounts and contacts, matched on their natural keys (imports).

All or none: a bad row is named with its field and reason, and nothing is written. Matching
follows merges: an external id that was merged into another account is an alias of it.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.db.models.functions import Lower

from tenure.accounts.models import Account, AccountAlias, Contact, Position
from tenure.accounts.services import (
    ACCOUNT_FIELDS,
    CONTACT_FIELDS,
    POSITION_FIELDS,
    normalise_account_fields,
    normalise_contact_fields,
)
from tenure.audit.services import audit_record_bulk
from tenure.core.bulk import (
    Planned,
    RowProblem,
    RowsRefused,
    UpsertResult,
    bulk_update_planned,
    chunks,
    plan_row,
    unknown_fields,
    upsert_counts,
    write_or_refuse,
)
from tenure.core.errors import DomainError

#: An account row: the profile fields, with its group named by ``parent_external_id``.
ACCOUNT_UPSERT_FIELDS = (ACCOUNT_FIELDS - {"parent"}) | {"parent_external_id"}
#: A contact row: the person, optionally with a position at the account ``account_external_id``.
CONTACT_UPSERT_FIELDS = CONTACT_FIELDS | POSITION_FIELDS | {"left_on", "account_external_id"}


def _aliases(external_ids: Iterable[str]) -> dict[str, Account]:
    found: dict[str, Account] = {}
    for chunk in chunks(external_ids):
        aliases = AccountAlias.objects.filter(external_id__in=chunk).select_related("account")
        found.update({alias.external_id: alias.account for alias in aliases})
    return found


def _accounts_with_external_ids(external_ids: Iterable[str]) -> dict[str, Account]:
    found: dict[str, Account] = {}
    for chunk in chunks(external_ids):
        for account in Account.objects.filter(external_id__in=chunk):
            assert account.external_id is not None  # matched on it
            found[account.external_id] = account
    return found


def accounts_by_external_id(external_ids: Iterable[str]) -> dict[str, Account]:
    """The accounts with these external ids, or to which these ids were merged (aliases)."""
    wanted = list(dict.fromkeys(external_ids))
    found = _accounts_with_external_ids(wanted)
    found.update(_aliases(value for value in wanted if value not in found))
    return found


@transaction.atomic
def account_upsert_many(*, rows: list[dict[str, Any]]) -> UpsertResult:
    """Create or update accounts matched on ``external_id``, all or none.

    A row holds ``external_id`` and any of ``account_create``'s fields, with the group named
    by ``parent_external_id`` (an account among the rows or in the database; blank clears
    it). Fields a row leaves out stay as they are. A row whose external id was merged into
    another account (an alias) is skipped, so an old export does not bring a duplicate back.
    Raises ``RowsRefused`` naming every bad row; re-running the same rows changes nothing.
    """
    problems: list[RowProblem] = []
    keyed: dict[str, tuple[int, dict[str, Any]]] = {}
    for index, row in enumerate(rows):
        fields = dict(row)
        if unknown := unknown_fields(index, fields, ACCOUNT_UPSERT_FIELDS):
            problems += unknown
            continue
        try:
            normalise_account_fields(fields)
        except DomainError as error:
            problems.append(RowProblem(index, error.field, error.message))
            continue
        if "name" in fields:
            fields["name"] = str(fields["name"] or "").strip()
        key = fields.get("external_id")
        if not key:
            problems.append(RowProblem(index, "external_id", "an external id is required"))
        elif key in keyed:
            problems.append(RowProblem(index, "external_id", f"{key} is on an earlier row too"))
        else:
            keyed[key] = (index, fields)

    existing = _accounts_with_external_ids(keyed)
    merged = _aliases(key for key in keyed if key not in existing)
    planned: dict[str, Planned] = {}
    parents: dict[str, str | None] = {}
    notes: list[RowProblem] = []
    for key, (index, fields) in keyed.items():
        if key in merged:
            message = f"{key} was merged into {merged[key].name}; row skipped"
            notes.append(RowProblem(index, "external_id", message))
            continue
        if "parent_external_id" in fields:
            parents[key] = (fields.pop("parent_external_id") or "").strip() or None
        account = existing.get(key)
        item = plan_row(index, account or Account(), fields, new=account is None)
        problems += item.problems
        planned[key] = item
    late, parent_problems = _plan_account_parents(planned, parents)
    problems += parent_problems
    if problems:
        raise RowsRefused(problems)

    def write() -> None:
        # New accounts go in generations, groups before their subsidiaries, so each
        # INSERT already carries its parent's id.
        waiting = {key: item.instance for key, item in planned.items() if item.is_new}
        while waiting:
            ready = {k: a for k, a in waiting.items() if k not in late or late[k].pk is not None}
            if not ready:  # unreachable: cycles were refused above
                raise DomainError("the groups named in these rows form a cycle")
            for key, account in ready.items():
                if key in late:
                    account.parent_id = late[key].pk
            Account.objects.bulk_create(list(ready.values()), batch_size=500)
            waiting = {k: a for k, a in waiting.items() if k not in ready}
        for key, parent in late.items():
            planned[key].instance.parent_id = parent.pk
        bulk_update_planned(planned.values())

    write_or_refuse(write)
    result = upsert_counts(list(planned.values()), notes)
    _audit(Account, result)
    return result


def _plan_account_parents(
    planned: dict[str, Planned], parents: dict[str, str | None]
) -> tuple[dict[str, Account], list[RowProblem]]:
    """Point each row's account at its group; refuse unknown groups and cycles.

    Returns the rows whose group is itself new (its id is known only once written) and
    the problems found.
    """
    problems: list[RowProblem] = []
    wanted = {ref for ref in parents.values() if ref is not None and ref not in planned}
    in_database = accounts_by_external_id(wanted) if wanted else {}
    targets: dict[str, Account | None] = {}
    for key, ref in parents.items():
        item = planned[key]
        if ref == key:
            problems.append(
                RowProblem(item.index, "parent_external_id", "an account cannot be its own parent")
            )
        elif ref is not None and ref not in planned and ref not in in_database:
            message = f"no account has external id {ref}, in this import or in Tenure"
            problems.append(RowProblem(item.index, "parent_external_id", message))
        elif ref is None:
            targets[key] = None
        else:
            targets[key] = planned[ref].instance if ref in planned else in_database.get(ref)
    if targets and any(targets.values()):
        problems += _parent_cycles(planned, targets)
    late: dict[str, Account] = {}
    for key, parent in targets.items():
        item = planned[key]
        if parent is not None and parent.pk is None:
            late[key] = parent
            if item.changed is not None:  # an existing account
                item.changed.add("parent")
        elif item.changed is not None and item.instance.parent_id != (
            parent.pk if parent else None
        ):
            item.instance.parent = parent
            item.changed.add("parent")
        elif item.is_new:
            item.instance.parent = parent
    return late, problems


def _parent_cycles(
    planned: dict[str, Planned], targets: dict[str, Account | None]
) -> list[RowProblem]:
    """Rows whose new group would make an account its own ancestor."""

    def node(account: Account) -> object:
        return account.pk if account.pk is not None else id(account)

    parent_of: dict[object, object] = dict(
        Account.objects.filter(parent__isnull=False).values_list("pk", "parent_id")
    )
    for key, parent in targets.items():
        parent_of[node(planned[key].instance)] = None if parent is None else node(parent)
    problems = []
    for key, parent in targets.items():
        start, seen = node(planned[key].instance), set()
        current = None if parent is None else node(parent)
        while current is not None and current not in seen:
            if current == start:
                message = "an account cannot belong to one of its own subsidiaries"
                problems.append(RowProblem(planned[key].index, "parent_external_id", message))
                break
            seen.add(current)
            current = parent_of.get(current)
    return problems


@transaction.atomic
def contact_upsert_many(*, rows: list[dict[str, Any]]) -> UpsertResult:
    """Create or update people matched on email (any capitalisation), all or none.

    A row holds ``email`` and any of ``contact_create``'s fields. It may also place the
    person at an account: ``account_external_id`` with any of the position fields and
    ``left_on``. The position there is updated — the closed one with the same ``left_on``
    when the row has one, else the open one (which a ``left_on`` closes) — or added. Several
    rows may name one person (one per account); their person fields must agree. Raises
    ``RowsRefused`` naming every bad row; ``positions`` in the result counts positions.
    """
    problems: list[RowProblem] = []
    people: dict[str, tuple[int, dict[str, Any]]] = {}
    placements: list[tuple[int, str, str, dict[str, Any]]] = []
    for index, row in enumerate(rows):
        fields = dict(row)
        if unknown := unknown_fields(index, fields, CONTACT_UPSERT_FIELDS):
            problems += unknown
            continue
        position = {name: fields.pop(name) for name in list(fields) if name not in CONTACT_FIELDS}
        account_ref = str(position.pop("account_external_id", None) or "").strip()
        normalise_contact_fields(fields)
        for name in ("first_name", "last_name"):
            if name in fields:
                fields[name] = str(fields[name] or "").strip()
        email = fields.get("email")
        if not email:
            problems.append(RowProblem(index, "email", "an email address is required"))
            continue
        if email in people:
            known = people[email][1]
            for name, value in fields.items():
                if known.setdefault(name, value) != value:
                    message = f"differs from an earlier row for {email}"
                    problems.append(RowProblem(index, name, message))
        else:
            people[email] = (index, fields)
        if account_ref:
            placements.append((index, email, account_ref, position))
        elif any(value not in (None, "") for value in position.values()):
            message = "a position needs the account's external id"
            problems.append(RowProblem(index, "account_external_id", message))

    existing: dict[str, Contact] = {}
    for chunk in chunks(people):
        lowered = Contact.objects.annotate(email_lower=Lower("email"))
        existing.update({c.email_lower: c for c in lowered.filter(email_lower__in=chunk)})
    contacts: dict[str, Planned] = {}
    for email, (index, fields) in people.items():
        contact = existing.get(email)
        contacts[email] = plan_row(index, contact or Contact(), fields, new=contact is None)
        problems += contacts[email].problems
    positions, position_problems = _plan_positions(contacts, placements)
    problems += position_problems
    if problems:
        raise RowsRefused(problems)

    def write() -> None:
        Contact.objects.bulk_create([i.instance for i in contacts.values() if i.is_new], 500)
        bulk_update_planned(contacts.values())
        # Close positions before opening new ones: one open position per person and account.
        bulk_update_planned(positions)
        Position.objects.bulk_create([i.instance for i in positions if i.is_new], 500)

    write_or_refuse(write)
    result = upsert_counts(list(contacts.values()))
    result = dataclasses.replace(result, positions=upsert_counts(positions))
    _audit(Contact, result)
    if result.positions is not None:
        _audit(Position, result.positions)
    return result


def _audit(model: type[Model], result: UpsertResult) -> None:
    """One audit event per kind of change: bulk writes bypass the per-row signals."""
    audit_record_bulk(model=model, action="create", count=result.created, note="import")
    audit_record_bulk(model=model, action="update", count=result.updated, note="import")


def _plan_positions(
    contacts: dict[str, Planned], placements: list[tuple[int, str, str, dict[str, Any]]]
) -> tuple[list[Planned], list[RowProblem]]:
    """Match each placement to the person's position at that account, or plan a new one."""
    problems: list[RowProblem] = []
    accounts = accounts_by_external_id(ref for _, _, ref, _ in placements)
    known: dict[tuple[int, int], list[Position]] = defaultdict(list)
    saved = [contacts[email].instance.pk for _, email, _, _ in placements]
    for chunk in chunks({pk for pk in saved if pk is not None}):
        for position in Position.objects.filter(contact_id__in=chunk):
            known[(position.contact_id, position.account_id)].append(position)
    planned: list[Planned] = []
    used: set[int] = set()
    opened: set[tuple[str, int]] = set()
    for index, email, ref, fields in placements:
        account = accounts.get(ref)
        if account is None:
            message = f"no account has external id {ref}"
            problems.append(RowProblem(index, "account_external_id", message))
            continue
        contact = contacts[email].instance
        candidates = known.get((contact.pk, account.pk), []) if contact.pk else []
        left_on = fields.get("left_on")
        match = next((p for p in candidates if left_on and p.left_on == left_on), None)
        match = match or next((p for p in candidates if p.left_on is None), None)
        if match is not None and match.pk in used:
            message = "an earlier row already describes this person's position at this account"
            problems.append(RowProblem(index, "account_external_id", message))
            continue
        if match is None and left_on is None and (email, account.pk) in opened:
            problems.append(RowProblem(index, "account_external_id", "repeats an earlier row"))
            continue
        if match is not None:
            used.add(match.pk)
            item = plan_row(index, match, fields, new=False)
        else:
            if left_on is None:
                opened.add((email, account.pk))
            item = plan_row(index, Position(contact=contact, account=account), fields, new=True)
        problems += item.problems
        planned.append(item)
    return planned, problems
