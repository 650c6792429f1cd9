"""A text field encrypted at rest (Fernet), for personal data that is never searched."""

import base64
import functools
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models


def _fernet() -> Fernet:
    return _fernet_of(settings.FIELD_ENCRYPTION_KEY, settings.SECRET_KEY)


@functools.lru_cache(maxsize=4)
def _fernet_of(key, secret_key: str) -> Fernet:
    """One Fernet per key (settings may change in tests): made for every value read, its key derivation
    cost a tenth of a list's CPU (issue 16)."""
    if not key:
        # Derived from SECRET_KEY when no dedicated key is configured.
        key = base64.urlsafe_b64encode(hashlib.sha256(secret_key.encode()).digest()).decode()
    return Fernet(key.encode() if isinstance(key, str) else key)


class EncryptedTextField(models.TextField):
    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        try:
            return _fernet().decrypt(value.encode()).decode()
        except InvalidToken:
            return ""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return _fernet().encrypt(value.encode()).decode()
