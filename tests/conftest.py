"""Shared fixtures. A small demo world (the same loader as `make run`, with fewer members) is loaded
once per test database; every test runs in a transaction that is rolled back, so tests may change it.

Named users, as in Zulip's example_user: admin, staff, info, office, leader, member1..3, handler1,
handler2, unithead1, liaison, auditor, secadmin, citystaff (city level), other (member in 石门区).
"""

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # A fast hasher for the demo passwords too: full-strength PBKDF2 costs ~0.4 s per login.
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        call_command("loaddemo", members=30, stdout=open("/dev/null", "w"))


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


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
