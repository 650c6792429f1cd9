"""Every workbench to-do card opens a list of exactly what it counts: the number on the card equals the
rows the list shows (tests/todo_cards.py), for every demo user."""

import pytest

from tests.todo_cards import check_cards
from zhengxie.core.demo import DEMO_LOGINS

pytestmark = pytest.mark.django_db

USERS = [username for username, _ in DEMO_LOGINS]  # every demo login


@pytest.mark.parametrize("username", USERS)
def test_each_card_opens_a_list_of_exactly_what_it_counts(client_for, user, username):
    check_cards(client_for(username), user(username))
