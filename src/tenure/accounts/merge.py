"""Merge duplicate accounts or contacts into the one to keep, losing nothing that hung off them.

Everything attached to a duplicate moves to the kept object: positions, team roles,
interactions, touchpoints, plans, milestones, subsidiaries, aliases — and whatever other
app points at accounts or contacts, found through Django's relations, so a model added
later is carried over too. Blank profile fields of the kept object are filled from the
duplicates; the duplicates' external ids become aliases of the kept account, so order
lines in the ledger that still carry an old id count for it (``external_id_map``). A
``MergeRecord`` keeps each duplicate's fields as they were. Then the duplicates are
deleted. All in one transaction: a refused merge changes nothing.

How another model's rows follow a merge is its ``merge_policy`` (see ``MERGE_POLICIES``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

import polars as pl
from django.apps import apps
from django.contrib.auth.models import User
from django.db import IntegrityError, models, transaction

from tenure.accounts.choices import TeamRole
from tenure.accounts.models import (
    Account,
    AccountAlias,
    Contact,
    MergeKind,
    MergeRecord,
    Position,
    TeamMembership,
)
from tenure.accounts.services import is_self_or_subsidiary
from tenure.core.errors import DomainError, NotFound
from tenure.core.validation import validate_and_save

M = TypeVar("M", bound=models.Model)

#: Account fields filled from the duplicates (first one that has a value) when blank.
ACCOUNT_FILLED = (
    "external_id",
    "industry",
    "country",
    "region",
    "employees",
    "founded_year",
    "website",
    "tier",
    "potential_annual_spend",
    "preferred_channels",
    "characteristics",
    "seasonal_notes",
    "customer_objectives",
    "culture",
    "pain_points",
)
#: Yes/no facts about an account: true after the merge if true for any of them.
ACCOUNT_FLAGS = ("is_seasonal", "has_international_presence", "is_entering_new_markets")
CONTACT_FILLED = ("email", "phone", "preferred_channel", "birthday")
#: Position fields a combined position takes from the weaker one when its own are blank.
POSITION_FILLED = ("title", "department", "buying_role", "seniority")

#: How the rows of other models follow a merge. A model says so with a ``merge_policy``
#: class attribute; this table covers models that do not (yet). Policies:
#:
#: - ``"move"`` (the default): repoint them to the kept object; if one collides with a row
#:   the kept object has (a unique constraint), the merge is refused and nothing changes;
#: - ``"drop"``: delete the duplicates' rows — derived data the next scoring run recomputes;
#: - ``"prefer_kept"``: repoint them, but where the kept object already has the same row,
#:   the duplicate's is deleted (and counted in the record).
#:
#: Every model whose uniqueness includes the account needs one here (or its own): with
#: "move" the first collision refuses the merge. A test walks the relations to keep it so.
MERGE_POLICIES = {
    # Derived per account and day: the next scoring run rebuilds them for the kept account
    # over both accounts' order lines; the duplicate's history would only mix two series.
    "scoring.accountsnapshot": "drop",
    "health.accounthealth": "drop",
    "scoring.revenueseries": "drop",
    "growth.walletestimate": "drop",
    # Written by runs but carrying people's decisions (an offered category, a planned
    # preparation, an open task): kept where the kept account has none of its own.
    "growth.opportunity": "prefer_kept",
    "engagement.seasonalpreparation": "prefer_kept",
    "alerts.task": "prefer_kept",
    "scoring.qualificationrating": "prefer_kept",
}


@transaction.atomic
def account_merge(
    *, keep: Account, duplicates: Sequence[Account], by: User | None, reason: str
) -> MergeRecord:
    """Fold ``duplicates`` into ``keep`` and delete them; return the record of the merge.

    - Positions move. A person with an open position at both keeps one: the stronger
      relationship (``keep``'s on a tie), completed from the other, which is removed.
    - Team roles move. ``keep``'s key account manager stays; another duplicate's manager
      is not carried over and is named in the record (one manager per account).
    - Interactions, touchpoints, plans, milestones, subsidiaries and aliases move.
    - Blank profile fields are filled from the duplicates, in the order given; yes/no
      flags are true if any was; a key account stays one, since the earliest date.
    - The duplicates' external ids become aliases of ``keep``.

    Refuses merging an account into itself or into one of its subsidiaries.
    """
    keep, duplicates = _lock(Account, keep, duplicates)
    for duplicate in duplicates:
        if is_self_or_subsidiary(duplicate, keep.pk):
            raise DomainError(
                f"{keep.name} is a subsidiary of {duplicate.name}: an account cannot be merged "
                "into its own subsidiary",
                field="keep",
            )
    snapshots = [_snapshot(duplicate) for duplicate in duplicates]
    details: dict[str, Any] = {"moved": {}}
    details["team_not_carried_over"] = _merge_team(keep, duplicates)
    kept_open = {p.contact_id: p for p in keep.positions.filter(left_on__isnull=True)}
    incoming = _in_order(Position.objects.filter(account__in=duplicates), "account_id", duplicates)
    moved, details["positions_combined"] = _fold_positions(
        incoming, kept_open, key="contact_id", move={"account": keep}
    )
    _count(details, "accounts.position", moved)
    moved = Account.objects.filter(parent__in=duplicates).update(parent=keep)
    _count(details, "accounts.account.parent", moved)
    for label, moved, dropped in _move_related(Account, keep, duplicates, handled=_ACCOUNT_HANDLED):
        _count(details, label, moved, dropped)

    details["filled"] = _fill(keep, duplicates, ACCOUNT_FILLED)
    if keep.parent_id is None:
        details["filled"] += _fill_parent(keep, duplicates)
    for flag in ACCOUNT_FLAGS:
        if not getattr(keep, flag) and any(getattr(d, flag) for d in duplicates):
            setattr(keep, flag, True)
            details["filled"].append(flag)
    key_accounts = [a for a in (keep, *duplicates) if a.is_key_account]
    if key_accounts:
        dates = [a.key_account_since for a in key_accounts if a.key_account_since]
        keep.is_key_account, keep.key_account_since = True, min(dates, default=None)

    aliases = [d.external_id for d in duplicates if d.external_id]
    aliases = [value for value in aliases if value != keep.external_id]
    details["aliases"] = aliases
    merged_ids = _delete(Account, duplicates)
    validate_and_save(keep)
    for external_id in aliases:
        AccountAlias.objects.update_or_create(external_id=external_id, defaults={"account": keep})
    return _record(MergeKind.ACCOUNT, keep, merged_ids, snapshots, details, by, reason)


@transaction.atomic
def contact_merge(
    *, keep: Contact, duplicates: Sequence[Contact], by: User | None, reason: str
) -> MergeRecord:
    """Fold duplicate people into ``keep`` and delete them; return the record of the merge.

    Positions move; where both hold an open position at the same account, the stronger
    is kept, completed from the other. Interaction participation, touchpoints and anything
    else pointing at the duplicates moves. ``keep``'s email stays; its blank details are
    filled from the duplicates.
    """
    keep, duplicates = _lock(Contact, keep, duplicates)
    snapshots = [_snapshot(duplicate) for duplicate in duplicates]
    details: dict[str, Any] = {"moved": {}}
    kept_open = {p.account_id: p for p in keep.positions.filter(left_on__isnull=True)}
    incoming = _in_order(Position.objects.filter(contact__in=duplicates), "contact_id", duplicates)
    moved, details["positions_combined"] = _fold_positions(
        incoming, kept_open, key="account_id", move={"contact": keep}
    )
    _count(details, "accounts.position", moved)
    for label, moved, dropped in _move_related(Contact, keep, duplicates, handled={Position}):
        _count(details, label, moved, dropped)
    details["filled"] = _fill(keep, duplicates, CONTACT_FILLED)
    merged_ids = _delete(Contact, duplicates)
    validate_and_save(keep)
    return _record(MergeKind.CONTACT, keep, merged_ids, snapshots, details, by, reason)


def external_id_map() -> dict[str, int]:
    """Every external id order lines may carry → the id of the account it now means.

    An account's own external id, and the old ids of the duplicates merged into it. The
    scoring run joins order lines on this instead of on ``Account.external_id`` alone.
    """
    mapping = dict(AccountAlias.objects.values_list("external_id", "account_id"))
    own = Account.objects.filter(external_id__isnull=False).values_list("external_id", "pk")
    for external_id, pk in own:
        assert external_id is not None  # filtered on it
        mapping[external_id] = pk
    return mapping


def external_id_frame() -> pl.DataFrame:
    """``external_id_map`` as a frame (``external_id``, ``account_id``) for joins."""
    mapping = external_id_map()
    return pl.DataFrame(
        {"external_id": list(mapping), "account_id": list(mapping.values())},
        schema={"external_id": pl.String, "account_id": pl.Int64},
    )


def merge_summary(record: MergeRecord) -> list[str]:
    """The merge in a few sentences, for the admin's message and the command's output."""
    details = record.details
    noun = "account" if record.kind == MergeKind.ACCOUNT else "contact"
    lines = [f"Merged {len(record.merged_ids)} {noun}(s) into {record.kept_name}."]
    moved = [f"{count} {_label(name, count)}" for name, count in details.get("moved", {}).items()]
    if moved:
        lines.append(f"Moved {', '.join(moved)}.")
    dropped = [
        f"{count} {_label(name, count)}" for name, count in details.get("dropped", {}).items()
    ]
    if dropped:
        lines.append(
            f"Not carried over: {', '.join(dropped)} (the kept {noun} has its own, "
            "or the next scoring run recomputes them)."
        )
    if combined := details.get("positions_combined"):
        lines.append(f"Combined {len(combined)} position(s) held at both.")
    for dropped in details.get("team_not_carried_over", []):
        lines.append(
            f"{dropped['username']} was key account manager of {dropped['account_name']}; "
            f"{record.kept_name} keeps its own manager."
        )
    if filled := details.get("filled"):
        lines.append(f"Filled from the duplicates: {', '.join(filled)}.")
    if aliases := details.get("aliases"):
        lines.append(f"Old external ids now lead here: {', '.join(aliases)}.")
    return lines


# --- Steps ---------------------------------------------------------------------------------

_ACCOUNT_HANDLED: set[type[models.Model]] = {Position, TeamMembership, Account}


def _lock(model: type[M], keep: M, duplicates: Iterable[M]) -> tuple[M, list[M]]:
    """Re-read (and lock) the objects; refuse an empty or self-including merge."""
    ids = list(dict.fromkeys(d.pk for d in duplicates))
    noun = model._meta.verbose_name
    if not ids:
        raise DomainError(f"choose at least one duplicate {noun} to merge", field="duplicates")
    if keep.pk in ids:
        raise DomainError(f"cannot merge {keep} into itself", field="duplicates")
    found = model._default_manager.select_for_update().in_bulk([keep.pk, *ids])
    missing = [pk for pk in (keep.pk, *ids) if pk not in found]
    if missing:
        raise NotFound(f"no {noun} with id {missing[0]}", field="duplicates")
    return found[keep.pk], [found[pk] for pk in ids]


def _snapshot(instance: models.Model) -> dict[str, Any]:
    return {f.attname: f.value_from_object(instance) for f in instance._meta.concrete_fields}


def _in_order(queryset: models.QuerySet[M], attname: str, owners: list[Any]) -> list[M]:
    """Rows in the order their owners were given (so the first duplicate wins ties)."""
    rank = {owner.pk: number for number, owner in enumerate(owners)}
    return sorted(queryset, key=lambda row: (rank[getattr(row, attname)], row.pk))


def _count(details: dict[str, Any], label: str, moved: int, dropped: int = 0) -> None:
    for key, count in (("moved", moved), ("dropped", dropped)):
        if count:
            details.setdefault(key, {})
            details[key][label] = details[key].get(label, 0) + count


def _merge_team(keep: Account, duplicates: list[Account]) -> list[dict[str, Any]]:
    """Move team roles; a second key account manager is dropped and returned."""
    held = set(keep.team.values_list("user_id", "role"))
    has_manager = any(role == TeamRole.KEY_ACCOUNT_MANAGER for _, role in held)
    names = {d.pk: d.name for d in duplicates}
    dropped = []
    memberships = TeamMembership.objects.filter(account__in=duplicates).select_related("user")
    for membership in _in_order(memberships, "account_id", duplicates):
        is_manager = membership.role == TeamRole.KEY_ACCOUNT_MANAGER
        if (membership.user_id, membership.role) in held:
            membership.delete()
        elif is_manager and has_manager:
            dropped.append(
                {
                    "user_id": membership.user_id,
                    "username": membership.user.get_username(),
                    "account_id": membership.account_id,
                    "account_name": names[membership.account_id],
                }
            )
            membership.delete()
        else:
            membership.account = keep
            membership.save(update_fields=["account", "updated_at"])
            held.add((membership.user_id, membership.role))
            has_manager = has_manager or is_manager
    return dropped


def _fold_positions(
    incoming: list[Position], kept_open: dict[int, Position], *, key: str, move: dict[str, Any]
) -> tuple[int, list[dict[str, Any]]]:
    """Move positions over; where both sides hold an open one, keep the stronger.

    ``key`` names what two positions must share to be the same place (the contact when
    merging accounts, the account when merging contacts); ``move`` is what changes.
    """
    moved, combined = 0, []
    for position in incoming:
        other = kept_open.get(getattr(position, key)) if position.left_on is None else None
        if other is None:
            for name, value in move.items():
                setattr(position, name, value)
            position.save(update_fields=[*move, "updated_at"])
            moved += 1
            if position.left_on is None:
                kept_open[getattr(position, key)] = position
            continue
        stronger, weaker = (
            (position, other) if position.strength > other.strength else (other, position)
        )
        for name in POSITION_FILLED:
            if not getattr(stronger, name):
                setattr(stronger, name, getattr(weaker, name))
        starts = [d for d in (stronger.started_on, weaker.started_on) if d is not None]
        stronger.started_on = min(starts, default=None)
        combined.append({"kept_position_id": stronger.pk, "removed": _snapshot(weaker)})
        weaker.delete()  # first, so the two are never open at the same place at once
        for name, value in move.items():
            setattr(stronger, name, value)
        validate_and_save(stronger)
        kept_open[getattr(stronger, key)] = stronger
    return moved, combined


def _move_related(
    model: type[models.Model], keep: models.Model, duplicates: list[Any], *, handled: set[type]
) -> Iterable[tuple[str, int, int]]:
    """Repoint every other relation to ``model`` from the duplicates to ``keep``.

    Yields each relation's label with the rows moved and the rows dropped.
    """
    for relation in model._meta.related_objects:
        if relation.many_to_many:
            assert isinstance(relation, models.ManyToManyRel)
            if relation.through in handled:
                continue
            label = f"{relation.related_model._meta.label_lower}.{relation.field.name}"
            yield label, _move_many_to_many(relation, keep, duplicates), 0
            continue
        related = relation.related_model
        if related in handled:
            continue
        label = related._meta.label_lower
        name = relation.field.name
        rows = related._base_manager.filter(**{f"{name}__in": duplicates})
        policy = getattr(related, "merge_policy", MERGE_POLICIES.get(label, "move"))
        if policy == "drop":
            dropped = rows.count()
            rows.delete()
            yield label, 0, dropped
        elif policy == "prefer_kept":
            yield label, *_move_unless_taken(rows, name, keep)
        else:
            try:
                with transaction.atomic():
                    moved = rows.update(**{name: keep})
            except IntegrityError as error:
                raise DomainError(
                    f"the {related._meta.verbose_name_plural} of the duplicates cannot move to "
                    f"{keep}: {error}",
                    field="duplicates",
                ) from error
            yield label, moved, 0


def _move_unless_taken(
    rows: models.QuerySet[Any], name: str, keep: models.Model
) -> tuple[int, int]:
    """Repoint rows one by one; a row the kept object already has is deleted instead."""
    moved = dropped = 0
    for pk in rows.values_list("pk", flat=True):
        one = rows.model._base_manager.filter(pk=pk)
        try:
            with transaction.atomic():
                moved += one.update(**{name: keep})
        except IntegrityError:
            one.delete()
            dropped += 1
    return moved, dropped


def _move_many_to_many(relation: Any, keep: models.Model, duplicates: list[Any]) -> int:
    """Move links (e.g. who attended an interaction); a link ``keep`` already has is dropped."""
    through = relation.through
    ours = relation.field.m2m_reverse_field_name()
    theirs = relation.field.m2m_field_name() + "_id"
    already = set(through.objects.filter(**{ours: keep}).values_list(theirs, flat=True))
    move: list[int] = []
    drop: list[int] = []
    for pk, other in through.objects.filter(**{f"{ours}__in": duplicates}).values_list(
        "pk", theirs
    ):
        (drop if other in already else move).append(pk)
        already.add(other)
    through.objects.filter(pk__in=drop).delete()
    return through.objects.filter(pk__in=move).update(**{ours: keep})


def _fill(keep: models.Model, duplicates: list[Any], names: Sequence[str]) -> list[str]:
    """Fill ``keep``'s blank fields from the first duplicate that has a value."""
    filled = []
    for name in names:
        if getattr(keep, name) not in (None, "", [], {}):
            continue
        for duplicate in duplicates:
            value = getattr(duplicate, name)
            if value not in (None, "", [], {}):
                setattr(keep, name, value)
                filled.append(name)
                break
    return filled


def _fill_parent(keep: Account, duplicates: list[Account]) -> list[str]:
    """Give ``keep`` a duplicate's group, unless that would put it inside itself."""
    excluded = {d.pk for d in duplicates}
    for duplicate in duplicates:
        parent_id = duplicate.parent_id
        if parent_id and parent_id not in excluded and not is_self_or_subsidiary(keep, parent_id):
            keep.parent_id = parent_id
            return ["parent"]
    return []


def _delete(model: type[models.Model], duplicates: list[Any]) -> list[int]:
    ids = [d.pk for d in duplicates]
    model._default_manager.filter(pk__in=ids).delete()
    return ids


def _record(
    kind: str,
    keep: Account | Contact,
    merged_ids: list[int],
    snapshots: list[dict[str, Any]],
    details: dict[str, Any],
    by: User | None,
    reason: str,
) -> MergeRecord:
    user = by if by is not None and by.is_authenticated else None
    return MergeRecord.objects.create(
        kind=kind,
        kept_id=keep.pk,
        kept_name=str(keep)[:200],
        merged_ids=merged_ids,
        snapshots=snapshots,
        details=details,
        merged_by=user,
        reason=reason.strip(),
    )


def _label(name: str, count: int) -> str:
    """``engagement.interaction`` → "interactions"; ``accounts.account.parent`` → subsidiaries."""
    if name == "accounts.account.parent":
        return "subsidiary" if count == 1 else "subsidiaries"
    app_label, model_name, *field = name.split(".")
    try:
        meta = apps.get_model(app_label, model_name)._meta
    except LookupError:
        return name
    noun = str(meta.verbose_name if count == 1 else meta.verbose_name_plural)
    return f"{noun} (as {field[0].replace('_', ' ')})" if field else noun
