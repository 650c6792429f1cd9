import pytest
from django.core.management import call_command


def test_models_and_migrations_agree(db):
    # A model change without its migration would break `make run` on a fresh database.
    try:
        call_command("makemigrations", "--check", "--dry-run", verbosity=0)
    except SystemExit as exc:
        pytest.fail(f"makemigrations found changes without a migration (exit {exc.code})")
