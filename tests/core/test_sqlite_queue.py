"""SQLite writers of one process queue in order (zhengxie/core/sqlite, issue 16): a writer that would find
the file's write lock taken waits its turn instead of spending SQLite's busy timeout polling, and fails no
more with "database is locked" when the turn comes after that timeout."""

import threading
import time

import pytest
from django.db import OperationalError, connection
from django.db.backends.sqlite3.base import DatabaseWrapper as PlainWrapper

from zhengxie.core.sqlite.base import DatabaseWrapper

pytestmark = [
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock"),
    pytest.mark.django_db,  # lets the test open connections of its own (to files of its own)
]


def _db(cls, path, timeout):
    settings_dict = {
        **connection.settings_dict,
        "NAME": str(path),
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": timeout},
        "CONN_MAX_AGE": 0,
    }
    return cls(settings_dict, alias=f"queue-test-{threading.get_ident()}")


def _race(cls, path, *, hold: float, end: str = "commit"):
    """Writer A takes the lock, writes, holds it `hold` s, then ends (commit, rollback or close); writer B
    (SQLite busy timeout 0.2 s) starts meanwhile. Returns B's error or None, and the rows in the table."""
    setup = _db(cls, path, 5)
    setup.ensure_connection()
    setup.connection.execute("CREATE TABLE IF NOT EXISTS t (v TEXT)")
    setup.connection.execute("DELETE FROM t")
    setup.close()
    started, box = threading.Event(), {}

    def a():
        db = _db(cls, path, 5)
        db.ensure_connection()
        db._start_transaction_under_autocommit()
        db.cursor().execute("INSERT INTO t VALUES ('a')")
        started.set()
        time.sleep(hold)
        getattr(db, end)()
        if end != "close":
            db.close()

    def b():
        started.wait(10)
        db = _db(cls, path, 0.2)
        try:
            db.ensure_connection()
            db._start_transaction_under_autocommit()
            db.cursor().execute("INSERT INTO t VALUES ('b')")
            db.commit()
        except OperationalError as exc:
            box["error"] = exc
        finally:
            db.close()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    check = _db(cls, path, 5)
    rows = sorted(v for (v,) in check.cursor().execute("SELECT v FROM t").fetchall())
    check.close()
    return box.get("error"), rows


def test_without_the_queue_a_second_writer_fails_after_the_busy_timeout(tmp_path):
    error, rows = _race(PlainWrapper, tmp_path / "plain.sqlite3", hold=1.0)
    assert error is not None and "locked" in str(error)
    assert rows == ["a"]


def test_a_second_writer_of_the_process_waits_its_turn(tmp_path):
    error, rows = _race(DatabaseWrapper, tmp_path / "queued.sqlite3", hold=1.0)
    assert error is None
    assert rows == ["a", "b"]


@pytest.mark.parametrize("end", ["rollback", "close"])
def test_the_turn_passes_on_rollback_and_on_close(tmp_path, end):
    error, rows = _race(DatabaseWrapper, tmp_path / f"{end}.sqlite3", hold=0.5, end=end)
    assert error is None
    assert rows == ["b"]


def test_an_in_memory_database_is_not_queued():
    db = _db(DatabaseWrapper, ":memory:", 5)
    db.ensure_connection()
    db._start_transaction_under_autocommit()
    assert db._queued is None
    db.rollback()
    db.close()
