"""Reads of one row by a unique key whose SQL is compiled once per process (core.selectors.the_row
compiles it on every call)."""

import datetime

from django.apps import apps
from django.db import connections, models, router
from django.db.models.query import get_related_populators


class KeyedRead:
    """`the_row` for the reads every request makes (its token, its session's user), with the SQL that
    Django compiles once per database and process instead of on every call: compiling the wide
    select_related, its deferred fields and the roles' subquery took ~1.3 ms a request, about as long as
    the rest of a small API call (issue #8, cProfile of the schemathesis run). Same single query, same
    columns, same model instances (the related rows and the annotation set as Django's own iterator sets
    them); only the values of `slots` differ from call to call.

    `build(**values)` gives the queryset (a read by a unique key); `slots` names, for each value, the
    model field it is compared with ("app_label.Model", field name), which adapts it for the database as
    the filter would. The SQL is compiled with placeholder values and each value's parameter found by its
    placeholder; a query whose placeholders cannot be told apart (or with composite keys) runs as a plain
    `the_row` instead. Per process and database alias, not per connection: the converters of the columns
    are the calling thread's connection's."""

    def __init__(self, build, *, many: bool = False, **slots):
        self.build = build
        self.many = many  # every row (a list), not the one row of a unique key
        self.slots = slots  # value name -> ("app_label.Model", field name)
        self._prepared = {}  # (alias, vendor, shape) -> _Prepared, or None: run unprepared

    def __call__(self, **values):
        alias = router.db_for_read(apps.get_model(self.slots[next(iter(self.slots))][0]))
        connection = connections[alias]
        # A list value (`pk__in=ids`) is compiled once for each length it comes with.
        shape = tuple(len(v) if isinstance(v, (list, tuple)) else None for v in map(values.get, self.slots))
        if 0 in shape:
            return [] if self.many else None  # `__in=[]` finds nothing, as Django's own lookup
        key = (alias, connection.vendor, shape)
        if key not in self._prepared:
            self._prepared[key] = self._prepare(alias, connection, shape)
        prepared = self._prepared[key]
        if prepared is None:
            from .selectors import the_row

            return list(self.build(**values)) if self.many else the_row(self.build(**values))
        params = list(prepared.params)
        for name, (positions, field) in prepared.slots.items():
            given = values[name] if isinstance(values[name], (list, tuple)) else [values[name]]
            for pos, v in zip(positions, given, strict=True):
                value = field.get_db_prep_value(v, connection, prepared=False)
                if isinstance(value, int) and not -(2**63) <= value < 2**63:
                    # as Django's integer lookups: a key out of range finds nothing (in a list: a key
                    # that cannot be there: the query is compiled with distinct values)
                    if self.many and isinstance(values[name], (list, tuple)):
                        return list(self.build(**values))
                    return [] if self.many else None
                params[pos] = value
        with connection.cursor() as cursor:
            cursor.execute(prepared.sql, params)
            if self.many:
                rows = cursor.fetchall()
                converters = prepared.converters(connection) if rows else None
                return [prepared.instance(row, alias, connection, converters) for row in rows]
            row = cursor.fetchone()
        return None if row is None else prepared.instance(row, alias, connection)

    def _prepare(self, alias, connection, shape):
        placeholders, fields = {}, {}
        for i, ((name, (model, field_name)), n) in enumerate(zip(self.slots.items(), shape, strict=True)):
            fields[name] = field = apps.get_model(model)._meta.get_field(field_name)
            placeholders[name] = (
                _placeholder(field, i)
                if n is None
                else [_placeholder(field, 100 * (i + 1) + j) for j in range(n)]
            )
        compiler = self.build(**placeholders).order_by().query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        if compiler.has_composite_fields(s[0] for s in compiler.select):
            return None
        slots = {}
        for name, field in fields.items():
            positions = []
            given = placeholders[name] if isinstance(placeholders[name], list) else [placeholders[name]]
            for v in given:
                value = field.get_db_prep_value(v, connection, prepared=False)
                found = [i for i, p in enumerate(params) if type(p) is type(value) and p == value]
                if len(found) != 1:
                    return None
                positions.append(found[0])
            slots[name] = (positions, field)
        return _Prepared(
            sql,
            tuple(params),
            slots,
            compiler,
            get_related_populators(compiler.klass_info, compiler.select, alias),
        )


def _placeholder(field, i: int):
    """A value of `field`'s type that no query writes by itself."""
    if field.is_relation:
        field = field.target_field
    if isinstance(field, models.DateTimeField):
        return datetime.datetime(1901, 2, 3, 4, 5, i % 60, 271828, tzinfo=datetime.UTC)
    if isinstance(field, (models.IntegerField, models.AutoField)):
        return 7_390_562_841_173 + i
    return f"zx-placeholder-{i}-8d41f3"


class _Prepared:
    """A compiled KeyedRead: its SQL and parameters, and how a row becomes the model instances."""

    def __init__(self, sql, params, slots, compiler, related_populators):
        self.sql, self.params, self.slots = sql, params, slots
        select, klass_info = compiler.select, compiler.klass_info
        self.model = klass_info["model"]
        first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.model_cols = slice(first, last)
        self.init_list = [s[0].target.attname for s in select[self.model_cols]]
        self.related_populators = related_populators
        self.annotations = tuple(compiler.annotation_col_map.items())
        # the columns that need converting (the converters themselves are the calling connection's)
        self.convert = tuple(
            (pos, expr) for pos, (_, expr) in compiler.get_converters(s[0] for s in select).items()
        )

    def converters(self, connection) -> list:
        """The calling connection's converters of each column that needs them (once per read, not per row)."""
        return [
            (pos, expr, connection.ops.get_db_converters(expr) + expr.get_db_converters(connection))
            for pos, expr in self.convert
        ]

    def instance(self, row, alias, connection, converters=None):
        row = list(row)
        for pos, expr, functions in converters if converters is not None else self.converters(connection):
            value = row[pos]
            for converter in functions:
                value = converter(value, expr, connection)
            row[pos] = value
        obj = self.model.from_db(alias, self.init_list, row[self.model_cols])
        for populator in self.related_populators:
            populator.populate(row, obj)
        for attr, pos in self.annotations:
            setattr(obj, attr, row[pos])
        return obj


def attach(instance, name: str, rows: list) -> None:
    """`rows` (read with a KeyedRead) as the prefetched rows of `instance`'s reverse relation `name`: where
    prefetch_related puts them, so `instance.<name>.all()` answers them without a query, and each row's
    foreign key back to `instance` is set without one."""
    manager = getattr(instance, name)
    field = manager.field
    qs = manager.all()  # the relation's queryset, never evaluated: its rows are these
    qs._result_cache = rows
    qs._prefetch_done = True
    for row in rows:
        field.set_cached_value(row, instance)
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[field.remote_field.cache_name] = qs
