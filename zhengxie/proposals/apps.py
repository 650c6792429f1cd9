from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "zhengxie.proposals"
    label = "proposals"
    verbose_name = "提案"

    def ready(self):
        from . import (
            handling_kind,  # noqa: F401  (registers the proposal kind on the handling spine)
            receivers,  # noqa: F401  (the session copies follow their session)
        )
