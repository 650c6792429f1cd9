"""A real task worker for the fault tests (tests/core/test_worker_killed.py), run as its own process:

    python -m tests.core.fault_worker database|rq

It is the project's worker (`manage.py db_worker` or `manage.py rqworker default`, whatever settings the
environment gives: DATABASE_URL, TASKS_BACKEND, REDIS_URL, MEDIA_ROOT) with one export kind registered
beside the apps' own: `tests.fault`, whose builder reports 32 % and then, while the file named by
FAULT_HANG_FILE exists, hangs as a long compilation would - so the test can kill the worker mid-build.
"""

from __future__ import annotations

import os
import sys
import time

KIND = "tests.fault"
TITLE = "故障演练导出"


def build(user, params, progress):
    progress(32)
    hang = os.environ.get("FAULT_HANG_FILE", "")
    while hang and os.path.exists(hang):
        time.sleep(0.1)
    return "故障演练.csv", f"{user.username},{params.get('q', '')}\n".encode()


def register() -> None:
    from zhengxie.core import exports

    exports.register(KIND, build, title=TITLE, may_start=lambda user: user.username == "staff")


def main(backend: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengxie.settings")
    import django

    django.setup()
    register()
    from django.core.management import call_command

    if backend == "rq":
        call_command("rqworker", "default", verbosity=0)
    else:
        call_command(
            "db_worker", queue_name="*", interval=0.1, startup_delay=False, reload=False, verbosity=0
        )


if __name__ == "__main__":
    main(sys.argv[1])
