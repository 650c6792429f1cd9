"""Knowing whether the database was written since a check last ran (the state machines' invariants).

An invariant reads only the database, so after a step that wrote nothing it would read what it read after
the previous step and pass again: the state machines skip it then. "Wrote" is decided from the SQL itself,
on the default connection, by an execute wrapper that sees every statement Django sends: anything but a
SELECT, a savepoint statement, or an UPDATE or DELETE that matched no row counts as a write — one that a
refusal rolled back too, so a refused step that wrote before failing is still followed by the invariants.
"""

from django.db import connection

READS = ("SELECT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


class Writes:
    """writes = Writes(); ...; writes.since("name") is True when a write ran since the last since("name")
    (and the first time). writes.close() removes the wrapper."""

    def __init__(self):
        self.count = 0
        self.seen: dict[str, int] = {}
        connection.execute_wrappers.append(self)

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        statement = sql.lstrip().upper()
        if statement.startswith(READS):
            return result
        # An UPDATE or a DELETE that matched no row changed nothing (and fired no row trigger); an INSERT's
        # rowcount is not known before its RETURNING rows are read, so every INSERT counts.
        if not (statement.startswith(("UPDATE", "DELETE")) and context["cursor"].rowcount == 0):
            self.count += 1
        return result

    def since(self, name: str) -> bool:
        fresh = self.seen.get(name) != self.count
        self.seen[name] = self.count
        return fresh

    def close(self):
        if self in connection.execute_wrappers:
            connection.execute_wrappers.remove(self)
