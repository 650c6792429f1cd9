"""Gap-free, duplicate-free counters. The row lock (PostgreSQL) or the IMMEDIATE write lock (SQLite)
serialises concurrent callers; the caller's transaction makes a rolled-back number reusable."""

from django.db import transaction
from django.db.models import F

from .models import Counter


def next_number(organisation, key: str) -> int:
    with transaction.atomic():
        Counter.objects.get_or_create(organisation=organisation, key=key)
        Counter.objects.filter(organisation=organisation, key=key).update(value=F("value") + 1)
        return Counter.objects.select_for_update().get(organisation=organisation, key=key).value
