"""Django's SQLite backend, with one writing transaction per process at a time (issue 16).

SQLite has one write lock per database file. With `transaction_mode` IMMEDIATE every `atomic` block takes it
at `BEGIN`; a writer that finds it taken retries in SQLite's busy handler, which sleeps and polls, up to
the `timeout` of the settings, and then fails with "database is locked". Polling is not a queue: with
gunicorn's 3 × 4 threads and the task worker all wanting the lock, an unlucky writer can lose turn after
turn (18.6 s of a 20 s timeout under 50 concurrent writers, bench/RESULTS.md "Concurrent writers").

Here the threads of a process queue on a lock of their own before `BEGIN IMMEDIATE` and release it at
commit or rollback, so that at most one thread per process polls SQLite's lock and the others wait their
turn without spending SQLite's timeout. Waiting longer than SQLITE_QUEUE_TIMEOUT seconds (setting, default
60) goes on to `BEGIN` anyway, as before, so a thread can never wait forever on another. Statements outside
`atomic` (autocommit) and in-memory databases (the test suite's) are not queued.

ORDER BY … NULLS LAST/FIRST (issue 13): SQLite understands the modifier but cannot read such an order from
an index, so a list sorted by `number ASC NULLS LAST` sorted the whole subtree (a city's or the province's
proposals) for every page. Here the modifier counts as unsupported, so Django writes the same order as
`number IS NULL, number ASC`, which an expression index can hold (proposals' `proposal_order_sqlite_idx`,
migration 0011; bench/list_plans.md).
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.db.backends.sqlite3 import base, features

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def writer_lock(name) -> threading.Lock:
    """The process's lock for the database file `name`."""
    with _locks_guard:
        return _locks.setdefault(str(name), threading.Lock())


class DatabaseFeatures(features.DatabaseFeatures):
    supports_order_by_nulls_modifier = False  # `x IS NULL, x` instead: an index can serve that order


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
    _queued: threading.Lock | None = None

    def _start_transaction_under_autocommit(self):
        if not self.is_in_memory_db() and self._queued is None:
            lock = writer_lock(self.settings_dict["NAME"])
            if lock.acquire(timeout=getattr(settings, "SQLITE_QUEUE_TIMEOUT", 60)):
                self._queued = lock
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._leave_queue()
            raise

    def _leave_queue(self):
        lock, self._queued = self._queued, None
        if lock is not None:
            lock.release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            if self.connection is None or not self.connection.in_transaction:
                self._leave_queue()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._leave_queue()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._leave_queue()
