"""The audit trail in words, for people: "Anna Berg changed the tier from B to A".

Events store codes, ids and ISO strings (see :class:`tenure.audit.models.AuditEvent`); a page
shows names, local dates and sentences. :func:`history_entries` turns a page of events into
:class:`HistoryEntry` rows with a fixed number of queries: one for the people who acted and
one per kind of record the changed fields point to (a contact, a plan, a user), whatever the
number of events.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from tenure.audit.choices import AuditAction
from tenure.audit.models import AuditEvent
from tenure.core.figures import MISSING, day

#: ``actor`` of changes nobody made by hand (see ``tenure.audit.context``).
SYSTEM = "system"

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@dataclass(frozen=True)
class HistoryEntry:
    """One event as the History tab shows it.

    ``at`` is the aware moment of the change (pages show it as a local date and time);
    ``sentence`` says who did what to which record; ``details`` list the changed fields in
    words when there is more than one.
    """

    at: dt.datetime
    who: str
    sentence: str
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Field:
    label: str
    words: Mapping[Any, Any]
    target: type[models.Model] | None


def _fields(label: str) -> tuple[type[models.Model] | None, dict[str, _Field]]:
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return None, {}
    fields: dict[str, _Field] = {}
    for f in model._meta.concrete_fields:
        target = f.related_model if f.many_to_one or f.one_to_one else None
        fields[f.attname] = _Field(
            str(f.verbose_name),
            dict(f.flatchoices) if f.choices else {},
            target if isinstance(target, type) else None,
        )
    for m2m in model._meta.many_to_many:
        target = m2m.related_model
        fields[m2m.name] = _Field(
            str(m2m.verbose_name), {}, target if isinstance(target, type) else None
        )
    return model, fields


class _Names:
    """The words for linked records, looked up in one query per kind of record."""

    def __init__(self) -> None:
        self._wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
        self._found: dict[type[models.Model], dict[Any, str]] = {}

    def want(self, model: type[models.Model], ids: Iterable[Any]) -> None:
        self._wanted[model].update(i for i in ids if isinstance(i, int | str) and i != "")

    def load(self) -> None:
        user_model = get_user_model()
        for model, ids in self._wanted.items():
            # A record's name may read its parents (a plan is named with its account): load
            # them in the same query.
            rows = model._default_manager.filter(pk__in=ids).select_related()
            if model is user_model:
                self._found[model] = {u.pk: _person(u) for u in rows}
            else:
                self._found[model] = {row.pk: str(row) for row in rows}

    def get(self, model: type[models.Model], key: Any) -> str | None:
        return self._found.get(model, {}).get(key)

    def of(self, model: type[models.Model], key: Any) -> str:
        """The record's name, or its id when it has since been deleted."""
        found = self.get(model, key)
        return found if found is not None else f"#{key} (since removed)"


def _person(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


def _ids(value: Any) -> list[Any]:
    if isinstance(value, dict) and set(value) <= {"added", "removed"}:
        return [i for ids in value.values() for i in ids]
    if isinstance(value, list):
        return value
    return [value]


def _value(value: Any, field: _Field | None, names: _Names) -> str:
    """One stored value in words."""
    if value in (None, "", [], {}):
        return MISSING
    if field is not None and field.target is not None:
        target = field.target
        if isinstance(value, dict) and set(value) <= {"added", "removed"}:
            return "; ".join(
                f"{verb} {', '.join(names.of(target, i) for i in ids)}"
                for verb, ids in value.items()
            )
        if isinstance(value, list):
            return ", ".join(names.of(target, i) for i in value)
        return names.of(target, value)
    if field is not None and field.words and isinstance(value, str | int):
        return str(field.words.get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and _ISO_DATE.match(value):
        return day(dt.date.fromisoformat(value))
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        try:
            return day(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _phrase(label: str, before: str, after: str, *, of: str = "") -> str:
    if before == MISSING:
        return f"set the {label}{of} to {after}"
    if after == MISSING:
        return f"cleared the {label}{of} (was {before})"
    return f"changed the {label}{of} from {before} to {after}"


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _who(event: AuditEvent, people: Mapping[int, str]) -> str:
    if event.actor_id is not None and event.actor_id in people:
        return people[event.actor_id]
    if event.actor == SYSTEM:
        return "Tenure"
    return event.actor or "Someone"


def _sentence(
    event: AuditEvent,
    who: str,
    model: type[models.Model] | None,
    fields: Mapping[str, _Field],
    names: _Names,
) -> tuple[str, tuple[str, ...]]:
    kind = str(model._meta.verbose_name) if model is not None else event.model
    is_account = event.model == "accounts.account"
    record = f"the {kind}" if is_account else f"the {kind} “{event.object_repr}”"
    if not event.object_repr and not is_account:
        record = f"a {kind}"
    if event.is_bulk:
        plural = str(model._meta.verbose_name_plural) if model is not None else event.model
        verb = {
            AuditAction.BULK_CREATE: "added",
            AuditAction.BULK_UPDATE: "changed",
            AuditAction.BULK_DELETE: "deleted",
        }[AuditAction(event.action)]
        rows = kind if event.count == 1 else plural
        return f"{who} {verb} {event.count:,} {rows}", (event.note,) if event.note else ()
    if event.action == AuditAction.EXPORT:
        return f"{who} exported the personal data of {event.object_repr or kind}", ()
    if event.action == AuditAction.DELETE:
        return f"{who} deleted {record}", ()

    def word(name: str, value: Any) -> str:
        return _value(value, fields.get(name), names)

    def label(name: str) -> str:
        known = fields.get(name)
        return known.label if known is not None else name.replace("_", " ")

    order = {name: position for position, name in enumerate(fields)}
    if event.action == AuditAction.CREATE:
        shown = [
            name
            for name, value in event.after.items()
            if value not in (None, "", [], {})
            and not (name == "account_id" and value == event.account_id)
        ]
        shown.sort(key=lambda name: order.get(name, len(order)))
        added = "created the account" if is_account else f"added {record}"
        return f"{who} {added}", tuple(
            f"{_upper_first(label(n))}: {word(n, event.after[n])}" for n in shown
        )
    names_changed = list(event.before) + [n for n in event.after if n not in event.before]
    names_changed.sort(key=lambda name: order.get(name, len(order)))
    if len(names_changed) == 1:
        name = names_changed[0]
        of = "" if is_account else f" of {record}"
        before, after = word(name, event.before.get(name)), word(name, event.after.get(name))
        return f"{who} {_phrase(label(name), before, after, of=of)}", ()
    details = tuple(
        _upper_first(_phrase(label(n), word(n, event.before.get(n)), word(n, event.after.get(n))))
        for n in names_changed
    )
    return f"{who} changed {record}", details


def history_entries(events: Sequence[AuditEvent]) -> list[HistoryEntry]:
    """The events in words, in the order given.

    The people who acted read by their full names (their username when they have none, the
    recorded name when the account is gone); linked records by their names; codes by their
    labels; ISO dates as dates.
    """
    names = _Names()
    user_model = get_user_model()
    names.want(user_model, [e.actor_id for e in events if e.actor_id is not None])
    described = []
    for event in events:
        model, fields = _fields(event.model)
        for name in {*event.before, *event.after}:
            field = fields.get(name)
            if field is not None and field.target is not None:
                names.want(field.target, _ids(event.before.get(name)))
                names.want(field.target, _ids(event.after.get(name)))
        described.append((event, model, fields))
    names.load()
    people = {
        e.actor_id: name
        for e in events
        if e.actor_id is not None and (name := names.get(user_model, e.actor_id)) is not None
    }
    entries = []
    for event, model, fields in described:
        who = _who(event, people)
        sentence, details = _sentence(event, who, model, fields, names)
        entries.append(HistoryEntry(event.created_at, who, sentence, details))
    return entries
