"""Record every change to CRM data through Django's model signals.

How one change is recorded, and why it costs one INSERT:

* ``post_init`` remembers the field values an instance was loaded with (a dict copy, no
  query), so ``post_save`` can tell which fields changed and what they were before.
* ``pre_save`` reads the stored row only for an instance that was built in memory with a
  primary key rather than loaded (rare: ``Model(pk=…).save()``), which has nothing to compare.
* ``post_save`` and ``post_delete`` insert one ``AuditEvent`` in the same transaction as the
  change, so a rolled-back change leaves no event and a committed one always has its event.
* ``m2m_changed`` records people added to or removed from an interaction, and the like.

The object's text and its account come from what is already loaded: ``str(instance)`` runs
with queries refused (falling back to "interaction 42"), and the account is read through
loaded parents, with one primary-key SELECT when a parent (a goal's plan) is not loaded.

Bulk writes (``bulk_create``, ``bulk_update``, ``QuerySet.update``) send no signals: their
callers record one summarising event with ``services.audit_record_bulk``.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import math
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db import connections, models
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save, pre_save
from django.utils.duration import duration_iso_string

from tenure.audit.choices import AuditAction
from tenure.audit.context import current_actor
from tenure.audit.models import AuditEvent, model_label

#: Apps whose models are CRM data: every model in them is audited unless listed below.
AUDITED_APPS = (
    "accounts",
    "engagement",
    "planning",
    "feedback",
    "scoring",
    "health",
    "growth",
    "ledger",
    "access",
    "alerts",
)
#: Left out on purpose.
NOT_AUDITED = frozenset(
    {
        # High-volume outputs of the scoring run, rebuilt from the ledger on every run.
        "scoring.scoringrun",
        "scoring.accountsnapshot",
        "scoring.revenueseries",
        "scoring.portfoliosnapshot",
        "health.accounthealth",
        "growth.walletestimate",
        # Suggestions are rewritten by every scoring run; what people decide on them is kept
        # on the suggestion itself (status, decided_by, decided_at, the plan action).
        "growth.opportunity",
        # Customers' survey answers: shown only under the anonymity rules
        # (feedback/anonymity.py); a per-account history of them would be a side door.
        "feedback.response",
        "feedback.answer",
        # Hashes of emailed links: secrets, and nothing a person changes.
        "feedback.invitationtoken",
        # Who was invited to a survey is nobody's business on the account page either.
        "feedback.invitation",
        "access.apitoken",
        # One row per person and day, so a digest is not sent twice: bookkeeping.
        "alerts.digestlog",
    }
)
#: Field names holding secrets: a change is recorded, its value is not.
SECRET_WORDS = ("password", "secret", "token")
REDACTED = "[redacted]"

_SNAPSHOT = "_audit_snapshot"
_CLEARING = "_audit_clearing"
_MISSING = object()


@dataclass(frozen=True)
class ModelSpec:
    """What the receivers need to know about one audited model, worked out once."""

    label: str
    fields: dict[str, models.Field]  # attname → field, for the fields whose changes count
    mutable: frozenset[str]  # JSON fields: copied when remembered, or edits in place go unseen
    secret: frozenset[str]
    #: FK names to walk to the model holding the account, and that model's account field;
    #: ``((), "pk")`` for Account itself; ``None`` when the record belongs to no account.
    account_path: tuple[tuple[str, ...], str] | None


_SPECS: dict[type[models.Model], ModelSpec] = {}
#: m2m through model and direction → (name of the field on the instance's side).
_M2M_NAMES: dict[tuple[type[models.Model], bool], str] = {}


def audited_models() -> list[type[models.Model]]:
    """The models whose changes are recorded (after ``connect``)."""
    return list(_SPECS)


def connect() -> None:
    """Connect the receivers to every audited model; safe to call twice."""
    for label in AUDITED_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models():
            meta = model._meta
            if meta.auto_created or model_label(model) in NOT_AUDITED:
                continue
            _SPECS[model] = _spec(model)
            uid = f"tenure.audit.{meta.label_lower}"
            post_init.connect(_remember, sender=model, dispatch_uid=uid)
            pre_save.connect(_before_save, sender=model, dispatch_uid=uid)
            post_save.connect(_after_save, sender=model, dispatch_uid=uid)
            post_delete.connect(_after_delete, sender=model, dispatch_uid=uid)
    for model in list(_SPECS):
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            assert through is not None  # made by Django when not given
            _M2M_NAMES[(through, False)] = field.name
            if field.related_model in _SPECS and not field.remote_field.hidden:
                accessor = field.remote_field.get_accessor_name()
                assert accessor is not None  # only a hidden relation has none
                _M2M_NAMES[(through, True)] = accessor
            m2m_changed.connect(
                _m2m_changed, sender=through, dispatch_uid=f"tenure.audit.{through._meta.label}"
            )


def _spec(model: type[models.Model]) -> ModelSpec:
    fields = {
        field.attname: field
        for field in model._meta.concrete_fields
        # The key is the object id; the timestamps say nothing the event's time does not.
        if not field.primary_key and field.name not in {"created_at", "updated_at"}
    }
    return ModelSpec(
        label=model_label(model),
        fields=fields,
        mutable=frozenset(n for n, f in fields.items() if isinstance(f, models.JSONField)),
        secret=frozenset(n for n in fields if any(word in n for word in SECRET_WORDS)),
        account_path=_account_path(model),
    )


def _account_path(model: type[models.Model]) -> tuple[tuple[str, ...], str] | None:
    """The shortest chain of foreign keys from ``model`` to an account (at most 3 hops)."""
    account = apps.get_model("accounts", "Account")
    if model._meta.concrete_model is account:
        return ((), "pk")
    queue: list[tuple[type[models.Model], tuple[str, ...]]] = [(model, ())]
    seen = {model}
    while queue:
        current, hops = queue.pop(0)
        keys = [f for f in current._meta.concrete_fields if f.many_to_one or f.one_to_one]
        for field in keys:
            if field.related_model is account:
                return (hops, field.name)
        if len(hops) >= 2:
            continue
        for field in keys:
            target = field.related_model
            assert target is not None  # a foreign key's
            if target not in seen and target._meta.app_label in AUDITED_APPS:
                seen.add(target)
                queue.append((target, (*hops, field.name)))
    return None


# --- receivers ----------------------------------------------------------------------------


def _remember(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    instance.__dict__[_SNAPSHOT] = _values(_SPECS[sender], instance.__dict__)


def _before_save(
    sender: type[models.Model], instance: models.Model, using: str, **kwargs: Any
) -> None:
    if instance._state.adding and instance.pk is not None:
        # Built in memory with a key: the save may update a stored row, so read it.
        spec = _SPECS[sender]
        row = sender._base_manager.using(using).filter(pk=instance.pk).values(*spec.fields).first()
        instance.__dict__[_SNAPSHOT] = row or {}


def _after_save(
    sender: type[models.Model],
    instance: models.Model,
    created: bool,
    using: str,
    update_fields: frozenset[str] | None,
    **kwargs: Any,
) -> None:
    spec = _SPECS[sender]
    current = instance.__dict__
    if created:
        _write(instance, spec, AuditAction.CREATE, {}, _serialise(spec, current), using)
        current[_SNAPSHOT] = _values(spec, current)
        return
    saved = [
        name
        for name, field in spec.fields.items()
        if name in current
        and (update_fields is None or name in update_fields or field.name in update_fields)
    ]
    snapshot = current.get(_SNAPSHOT) or {}
    changed = [n for n in saved if _differs(spec.fields[n], snapshot.get(n, _MISSING), current[n])]
    if changed:
        before = {n: snapshot[n] for n in changed if n in snapshot}
        after = {n: current[n] for n in changed}
        _write(
            instance,
            spec,
            AuditAction.UPDATE,
            _serialise(spec, before),
            _serialise(spec, after),
            using,
        )
    # What is stored now is the "before" of the next save of this same instance.
    current[_SNAPSHOT] = {**snapshot, **_values(spec, {n: current[n] for n in saved})}


def _after_delete(
    sender: type[models.Model], instance: models.Model, using: str, **kwargs: Any
) -> None:
    spec = _SPECS[sender]
    _write(instance, spec, AuditAction.DELETE, _serialise(spec, instance.__dict__), {}, using)


def _m2m_changed(
    sender: type[models.Model],
    instance: models.Model,
    action: str,
    reverse: bool,
    pk_set: set[Any] | None,
    using: str,
    **kwargs: Any,
) -> None:
    spec = _SPECS.get(type(instance))
    name = _M2M_NAMES.get((sender, reverse))
    if spec is None or name is None:
        return
    if action == "pre_clear":
        # clear() does not say what it removes: one SELECT, only for clear().
        related = getattr(instance, name).using(using)
        instance.__dict__[_CLEARING] = sorted(related.values_list("pk", flat=True))
        return
    if action == "post_clear":
        ids, verb = instance.__dict__.pop(_CLEARING, []), "removed"
    elif action in {"post_add", "post_remove"}:
        ids, verb = sorted(pk_set or ()), "added" if action == "post_add" else "removed"
    else:
        return
    if ids:
        _write(instance, spec, AuditAction.UPDATE, {}, {name: {verb: _jsonable(ids)}}, using)


# --- writing one event ---------------------------------------------------------------------


def _write(
    instance: models.Model,
    spec: ModelSpec,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
    using: str,
) -> None:
    actor = current_actor()
    AuditEvent(
        actor=actor.name[:150],
        actor_id=actor.user_id,
        action=action,
        model=spec.label,
        object_id=str(instance.pk),
        object_repr=_describe(instance, using)[:200],
        account_id=_account_id(instance, spec, using),
        before=before,
        after=after,
    ).save(using=using, force_insert=True)


class _WouldQuery(Exception):
    pass


def _refuse(*args: Any) -> Any:
    raise _WouldQuery


@contextlib.contextmanager
def _no_queries(using: str) -> Iterator[None]:
    """Refuse any query on ``using``: an audit event reads only what is loaded.

    The refusal comes when a cursor is asked for, before anything reaches the database or
    the query log, so tests that count queries see none (``execute_wrapper`` would log the
    refused query as if it had run). Connections are per thread, so this affects no other
    request.
    """
    connection = connections[using]
    if "cursor" in vars(connection):  # already refused further up: do not stack
        yield
        return
    connection.cursor = connection.chunked_cursor = _refuse  # type: ignore[method-assign]
    try:
        yield
    finally:
        del connection.cursor, connection.chunked_cursor


def _describe(instance: models.Model, using: str) -> str:
    try:
        with _no_queries(using):
            return str(instance)
    except Exception:  # a __str__ that needs a query, or fails: never block the change for it
        return f"{instance._meta.verbose_name} {instance.pk}"


def _account_id(instance: models.Model, spec: ModelSpec, using: str) -> int | None:
    if spec.account_path is None:
        return None
    hops, final = spec.account_path
    if final == "pk":
        return instance.pk
    if not hops:
        return instance.__dict__.get(f"{final}_id")
    try:
        with _no_queries(using):
            parent: Any = instance
            for hop in hops:
                parent = getattr(parent, hop)
                if parent is None:
                    return None
            return getattr(parent, f"{final}_id")
    except _WouldQuery:
        pass
    except ObjectDoesNotExist:
        return None
    first = instance._meta.get_field(hops[0])
    assert isinstance(first, models.ForeignKey)  # the path is made of foreign keys
    key = instance.__dict__.get(first.attname)
    if key is None:
        return None
    lookup = "__".join((*hops[1:], final))
    manager = first.related_model._base_manager.using(using)
    return manager.filter(pk=key).values_list(lookup, flat=True).first()


# --- values --------------------------------------------------------------------------------


def _values(spec: ModelSpec, values: dict[str, Any]) -> dict[str, Any]:
    """The tracked fields present in ``values`` (deferred fields are absent, not fetched)."""
    # Runs for every audited row loaded from the database: kept to one dict comprehension.
    remembered = {name: values[name] for name in spec.fields if name in values}
    for name in spec.mutable & remembered.keys():
        remembered[name] = copy.deepcopy(remembered[name])
    return remembered


def _differs(field: models.Field, old: Any, new: Any) -> bool:
    if old is _MISSING:
        return True
    try:
        if old == new:
            return False
        # A form or service may assign "12.50" where the database returned Decimal("12.50").
        return bool(field.to_python(old) != field.to_python(new))
    except Exception:  # values that cannot be compared count as changed
        return True


def _serialise(spec: ModelSpec, values: dict[str, Any]) -> dict[str, Any]:
    return {
        name: REDACTED if name in spec.secret else _jsonable(values[name])
        for name in spec.fields
        if name in values
    }


def _jsonable(value: Any) -> Any:
    """A JSON value for any field value; never fails, so a change is never refused for it."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        # PostgreSQL's jsonb has no NaN or infinity.
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return f"<{len(value)} bytes>"
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(item) for item in value]
    return str(value)
