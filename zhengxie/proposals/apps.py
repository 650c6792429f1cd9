from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "zhengxie.proposals"
    label = "proposals"
    verbose_name = "提案"

    def ready(self):
        from zhengxie.core import datacache

        from . import (
            handling_kind,  # noqa: F401  (registers the proposal kind on the handling spine)
            receivers,  # noqa: F401  (the session copies follow their session)
        )

        # The kept list counts and statistics (core.datacache) follow every write to these tables.
        datacache.watch(
            "proposals",
            "proposals_",
            "handling_case",
            "handling_assignment",
            "handling_reply",
            "handling_evaluation",
            "handling_followup",
            "core_handlingunit",
            "members_member",
            "search_searchdocument",
        )
