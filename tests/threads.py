"""Running a piece of a test in another thread with its own database connection (the concurrency tests:
two connections racing for the same row lock)."""

import threading

from django.db import connection


def in_thread(fn):
    """fn() in a new thread; its result, or its exception raised here. The thread's connection is closed."""
    box = {}

    def run():
        try:
            box["value"] = fn()
        except Exception as exc:  # handed back to the test
            box["error"] = exc
        finally:
            connection.close()

    t = threading.Thread(target=run)
    t.start()
    t.join(60)
    if "error" in box:
        raise box["error"]
    return box.get("value")
