"""SMS behind an interface. The default backend only logs; a real gateway implements send()."""

import logging

logger = logging.getLogger("zhengxie.sms")


class BaseSMSBackend:
    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class LoggingSMSBackend(BaseSMSBackend):
    sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        masked = phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "***"
        logger.info("SMS to %s: %s", masked, text[:70])
        LoggingSMSBackend.sent.append((phone, text))


def get_backend() -> BaseSMSBackend:
    from django.conf import settings
    from django.utils.module_loading import import_string

    return import_string(settings.SMS_BACKEND)()
