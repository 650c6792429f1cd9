"""Text stored before the edge refused control characters (core.textguard), or restored from an old backup,
cleaned in place: every CharField and TextField (encrypted ones too) of every model of our apps, through
the same sanitizer as the documents (core.textguard.printable: C0 controls but tab, LF and CR, lone
surrogates, U+FFFE/U+FFFF). Used by `manage.py strip_control_chars` (a dry run unless `--apply`) and by
`manage.py restore`, which cleans every row on its way in.

The audit log is never changed (its triggers refuse UPDATE and its hash chain would break): its entries are
counted, not cleaned. Only a restore into PostgreSQL has to touch them, as PostgreSQL cannot hold a NUL at
all: `mark_nul` writes each NUL as ␀ (U+2400) and the restore names the entries in its own audit entry;
`manage.py audit_verify` accepts exactly that change in exactly those entries (core.auditchain).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.apps import apps
from django.db import IntegrityError, connection, models, transaction

from .auditchain import NUL_MARK
from .fields import EncryptedTextField
from .textguard import printable

ACTION = "core.strip_control_chars"
APPEND_ONLY = frozenset({"core.auditentry"})
MARKED = "audit_entries_nul_marked"  # the ids of those entries, in the restore's audit entry
# textguard.CONTROL as each database's regular expressions read it (Django's REGEXP on SQLite is Python's
# re; PostgreSQL can hold neither a NUL nor a lone surrogate).
PATTERN = {
    "sqlite": r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]",
    "postgresql": r"[\x01-\x08\x0b\x0c\x0e-\x1f\uFFFE\uFFFF]",
}
AUDIT_IDS = 200  # ids named in one audit entry


def our_models() -> list[type[models.Model]]:
    """Every model with a table of its own in the zhengxie.* apps."""
    return [
        m
        for config in apps.get_app_configs()
        if config.name.startswith("zhengxie.")
        for m in config.get_models()
        if m._meta.managed and not m._meta.proxy
    ]


def _is_text(f) -> bool:
    return isinstance(f, (models.CharField, models.TextField)) and not f.primary_key


def text_fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if _is_text(f)]


def _deep(value, clean):
    """`clean` applied to every string in a JSON-like value (keys too)."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {_deep(k, clean): _deep(v, clean) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep(v, clean) for v in value]
    return value


def clean_instance(obj) -> list[str]:
    """Cleans an unsaved instance's text fields and the strings in its JSON fields (as `manage.py restore`
    loads it: PostgreSQL refuses a NUL in either); the names of the fields changed."""
    changed = []
    for f in obj._meta.concrete_fields:
        if _is_text(f) or isinstance(f, models.JSONField):
            value = getattr(obj, f.attname)
            clean = _deep(value, printable)
            if clean != value:
                setattr(obj, f.attname, clean)
                changed.append(f.name)
    return changed


def _mark(value):
    return _deep(value, lambda s: s.replace("\x00", NUL_MARK))


def mark_nul(obj) -> bool:
    """Writes each NUL in an instance's text and JSON fields as ␀ (for an entry that must not be cleaned
    but cannot be stored with a NUL: the audit log restored into PostgreSQL). Whether any was found."""
    found = False
    for f in obj._meta.concrete_fields:
        if isinstance(f, (models.CharField, models.TextField, models.JSONField)):
            value = getattr(obj, f.attname)
            marked = _mark(value)
            if marked != value:
                setattr(obj, f.attname, marked)
                found = True
    return found


@dataclass
class ModelReport:
    model: type[models.Model]
    rows: int = 0
    fields: dict[str, int] = field(default_factory=dict)
    skipped: list = field(default_factory=list)  # rows whose cleaned value collides with a unique one

    @property
    def label(self) -> str:
        return f"{self.model._meta.verbose_name}（{self.model._meta.label_lower}）"


def _candidates(model, fields, vendor: str) -> list:
    """The primary keys of the rows holding a control character in one of these fields: the database
    looks at plain fields; encrypted ones are read (decrypted) and looked at here."""
    plain = [f for f in fields if not isinstance(f, EncryptedTextField)]
    secret = [f for f in fields if isinstance(f, EncryptedTextField)]
    manager = model._base_manager
    pks = set()
    if plain:
        q = reduce(or_, (models.Q(**{f"{f.name}__regex": PATTERN[vendor]}) for f in plain))
        pks.update(manager.filter(q).values_list("pk", flat=True))
    if secret:
        for pk, *values in manager.values_list("pk", *(f.attname for f in secret)).iterator(chunk_size=2000):
            if any(isinstance(v, str) and printable(v) != v for v in values):
                pks.add(pk)
    return sorted(pks)


def strip_model(model, *, apply: bool, batch: int = 500) -> ModelReport:
    """Finds (and with `apply` cleans) the rows of one model holding control characters, `batch` rows per
    transaction, each batch audited (`core.strip_control_chars`: the model, the rows' ids and fields)."""
    from . import audit

    report = ModelReport(model)
    fields = text_fields(model)
    vendor = connection.vendor
    if not fields or vendor not in PATTERN:
        return report
    pks = _candidates(model, fields, vendor)
    manager = model._base_manager
    attnames = [f.attname for f in fields]
    for start in range(0, len(pks), batch):
        chunk = pks[start : start + batch]
        with transaction.atomic():
            rows = manager.filter(pk__in=chunk)
            if apply and model._meta.label_lower not in APPEND_ONLY:
                rows = rows.select_for_update()
            done, names = [], set()
            for pk, *values in rows.values_list("pk", *attnames):
                changes = {
                    f.attname: printable(v)
                    for f, v in zip(fields, values, strict=True)
                    if isinstance(v, str) and printable(v) != v
                }
                if not changes:
                    continue
                changed = [f.name for f in fields if f.attname in changes]
                if apply and model._meta.label_lower not in APPEND_ONLY:
                    try:
                        with transaction.atomic():
                            manager.filter(pk=pk).update(**changes)
                    except IntegrityError:  # the cleaned value is another row's unique one
                        report.skipped.append(pk)
                        continue
                    done.append(pk)
                    names.update(changed)
                report.rows += 1
                for name in changed:
                    report.fields[name] = report.fields.get(name, 0) + 1
            if done:
                audit.record(
                    None,
                    ACTION,
                    None,
                    after={
                        "model": model._meta.label_lower,
                        "table": str(model._meta.verbose_name),
                        "rows": len(done),
                        "ids": [str(pk) for pk in done[:AUDIT_IDS]],
                        "fields": sorted(names),
                    },
                )
    return report


def strip_all(*, apply: bool, batch: int = 500) -> list[ModelReport]:
    """Every model of our apps (the audit log counted, never changed): the models with such rows."""
    return [r for m in our_models() if (r := strip_model(m, apply=apply, batch=batch)).rows or r.skipped]
