"""Shared fixtures. A small demo world (the same loader as `make run`, with fewer members) is loaded
into the test database once; every test runs in a transaction that is rolled back, so tests may change it.

Named users, as in Zulip's example_user: admin, staff, info, office, leader, member1..3, handler1,
handler2, unithead1, liaison, auditor, secadmin, citystaff (city level), other (member in 石门区).

The test database
-----------------
Migrating (with its RunPython and trigger migrations) and loading the demo costs ~12 s of CPU. In one
process (`pytest`) that is done in place, as pytest-django does. Under xdist (`pytest -n 2`) it is
done once per run, into a template: the first worker that needs a database migrates and loads it,
behind a file lock in the run's temp dir; then every worker clones the template with Django's own
test-database cloning (`clone_test_db`: CREATE DATABASE ... TEMPLATE on PostgreSQL, a file copy for
an SQLite file), or, for SQLite's in-memory test database, restores it from an on-disk copy with
SQLite's backup API. Each worker thus gets its own database, identical to the one it would have
migrated and loaded itself: tests behave and are isolated as before. Nothing here names an app or a
migration. The last worker to finish drops the template; a worker that needs a database after that
(never seen in a normal run) simply builds it again. `--reuse-db` keeps pytest-django's per-worker
databases (and loads the demo only where it is missing).
"""

import fcntl
import json
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PRIVATE_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MIGRATED_NAME = "test-db-migrated.sqlite3"
_migrated: list[Path] = []  # the copy made by _keep_migrated in this run, if any


def _load_demo():
    # A fast hasher for the demo passwords too: full-strength PBKDF2 costs ~0.4 s per login. A private
    # cache: a shared Redis keeps what earlier runs (a session's, then CI's) left in it.
    with (
        override_settings(PASSWORD_HASHERS=FAST_HASHERS, CACHES=PRIVATE_CACHE),
        open(os.devnull, "w") as devnull,
    ):
        call_command("loaddemo", members=30, stdout=devnull)


@contextmanager
def _shared_state(directory: Path):
    """The template's state (a JSON file), read and written by one worker at a time."""
    path = directory / "test-db-template.json"
    with open(directory / "test-db-template.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            state = json.loads(path.read_text()) if path.exists() else {"template": None, "users": []}
            yield state
            path.write_text(json.dumps(state))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _in_memory(connection) -> bool:
    return connection.vendor == "sqlite" and connection.creation.is_in_memory_db(
        connection.settings_dict["NAME"]
    )


def _set_name(connection, name: str) -> None:
    from django.conf import settings

    # In place: connections opened later (other threads) read these dicts too.
    settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name


def _keep_migrated(path: Path) -> None:
    """A file copy of the test database as `migrate` left it, before the demo is loaded (SQLite only):
    the `migrated_sqlite` fixture. A SQLite file migrated in a subprocess costs ~16 s of CPU."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    _migrated.append(path)


def _build_template(directory: Path, aliases, verbosity: int) -> dict:
    """Migrates the test databases, loads the demo into them and leaves them as templates."""
    from django.test.utils import setup_databases

    old_config = setup_databases(
        verbosity=verbosity, interactive=False, aliases=aliases, serialized_aliases=()
    )
    _keep_migrated(directory / MIGRATED_NAME)
    _load_demo()
    template = {}
    for connection, old_name, is_primary in old_config:
        if not is_primary:  # a second alias of the same database: set up again by _clone_template
            continue
        entry = {"name": connection.settings_dict["NAME"], "file": None}
        if _in_memory(connection):
            entry["file"] = str(directory / f"test-db-template-{connection.alias}.sqlite3")
            target = sqlite3.connect(entry["file"])
            connection.connection.backup(target)
            target.close()
        connection.close()  # CREATE DATABASE ... TEMPLATE wants no session on the template
        _set_name(connection, old_name)
        template[connection.alias] = entry
    return template


def _clone_template(template: dict, worker: str, aliases, verbosity: int) -> list:
    """This worker's own copies of the templates; set up as django.test.utils.setup_databases does,
    and returning the same old_config for teardown_databases."""
    from django.db import connections
    from django.test.utils import get_unique_databases_and_mirrors

    test_databases, mirrored_aliases = get_unique_databases_and_mirrors(aliases)
    old_config = []
    for old_name, db_aliases in test_databases.values():
        first = None
        for alias in db_aliases:
            connection = connections[alias]
            old_config.append((connection, old_name, first is None))
            if first is not None:
                connection.creation.set_as_test_mirror(connections[first].settings_dict)
                continue
            first = alias
            entry = template[alias]
            _set_name(connection, entry["name"])
            if entry["file"]:  # SQLite in memory: this process's own database, filled from the copy
                connection.ensure_connection()
                source = sqlite3.connect(f"file:{entry['file']}?mode=ro", uri=True)
                source.backup(connection.connection)
                source.close()
            else:
                connection.creation.clone_test_db(suffix=worker, verbosity=verbosity)
                clone = connection.creation.get_test_db_clone_settings(worker)["NAME"]
                _set_name(connection, clone)
                connection.close()
    for alias, mirror in mirrored_aliases.items():
        connections[alias].creation.set_as_test_mirror(connections[mirror].settings_dict)
    return old_config


def _drop_template(template: dict, verbosity: int) -> None:
    from django.db import connections

    for alias, entry in template.items():
        if entry["file"]:
            Path(entry["file"]).unlink(missing_ok=True)
            continue
        connection = connections[alias].copy()
        connection.settings_dict["NAME"] = entry["name"]
        connection.creation.destroy_test_db(verbosity=verbosity)


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    tmp_path_factory,
):
    """Replaces pytest-django's (same options): the migrated demo world, built once per run."""
    from django.test.utils import setup_databases, teardown_databases

    # The helpers pytest-django's own django_db_setup uses (pytest-django is pinned in pyproject).
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    if not django_db_use_migrations:
        _disable_migrations()
    verbosity = request.config.option.verbose
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    worker = getattr(request.config, "workerinput", {}).get("workerid")
    keepdb = django_db_keepdb and not django_db_createdb

    if worker is None or django_db_keepdb or serialized_aliases:
        # One process, --reuse-db, or a serialized_rollback test (its snapshot is taken before the
        # demo is loaded): migrate in place and load the demo, as pytest-django would.
        request.getfixturevalue("django_db_modify_db_settings")  # the _gwN suffix under xdist
        with django_db_blocker.unblock():
            old_config = setup_databases(
                verbosity=verbosity,
                interactive=False,
                aliases=aliases,
                serialized_aliases=serialized_aliases,
                keepdb=keepdb,
            )
            if django_db_use_migrations and not django_db_keepdb:
                _keep_migrated(tmp_path_factory.getbasetemp() / MIGRATED_NAME)
            _load_demo()  # keeps an existing demo (--reuse-db)
        yield
        if not keepdb:
            with django_db_blocker.unblock():
                teardown_databases(old_config, verbosity=verbosity)
        return

    shared = tmp_path_factory.getbasetemp().parent  # the run's temp dir, the same for every worker
    with django_db_blocker.unblock():
        with _shared_state(shared) as state:
            if state["template"] is None:
                state["template"] = _build_template(shared, aliases, verbosity)
            old_config = _clone_template(state["template"], worker, aliases, verbosity)
            state["users"].append(worker)
            if django_db_use_migrations and (shared / MIGRATED_NAME).is_file():
                _migrated.append(shared / MIGRATED_NAME)
    yield
    with django_db_blocker.unblock():
        teardown_databases(old_config, verbosity=verbosity)
        with _shared_state(shared) as state:
            state["users"].remove(worker)
            if not state["users"] and state["template"]:
                _drop_template(state["template"], verbosity)
                state["template"] = None


@pytest.fixture(scope="session")
def migrated_sqlite(django_db_setup) -> Path | None:
    """A SQLite file holding the test database as `migrate` left it (schema, migration records, the
    migrations' own rows; no demo), made once per run while the test database was built; None when the
    test database is not SQLite, was reused (--reuse-db) or made without migrations. Copy it, never
    write to it."""
    return _migrated[-1] if _migrated else None


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = FAST_HASHERS
    # Every test Client builds its own middleware chain, and WhiteNoise's __init__ stats and indexes all
    # of STATIC_ROOT each time (~46 ms: a quarter of a request-heavy test's time). Autorefresh looks a
    # file up when it is asked for instead; what is served, and how, is the same.
    settings.WHITENOISE_AUTOREFRESH = True
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    if "locmem" not in settings.CACHES["default"]["BACKEND"].lower():
        # One Redis (or the default cache directory) serves both xdist workers: a test's cache.clear()
        # would wipe the other worker's counters mid-test (a rate limit read 404 instead of 429), and a
        # run would see what earlier runs left. Each test gets its own cache.
        settings.CACHES = PRIVATE_CACHE


@pytest.fixture
def user(db):
    from zhengxie.core.models import User

    def get(username: str) -> User:
        return User.objects.select_related("organisation", "handling_unit").get(username=username)

    return get


@pytest.fixture
def client_for(db, user):
    """client_for("staff") -> a test Client logged in as that demo user."""

    def make(username: str) -> Client:
        c = Client()
        c.force_login(user(username))
        return c

    return make


@pytest.fixture
def api_for(db, user):
    """api_for("member1") -> a Client whose requests carry that user's Bearer token."""
    from zhengxie.core.models import ApiToken

    def make(username: str) -> Client:
        return Client(headers={"Authorization": f"Bearer {ApiToken.issue(user(username))}"})

    return make
