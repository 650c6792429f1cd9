from django.apps import AppConfig


class OpinionsConfig(AppConfig):
    name = "zhengxie.opinions"
    label = "opinions"
    verbose_name = "社情民意信息"

    def ready(self):
        from zhengxie.proposals.services.review import register_converter

        from . import handling_kind  # noqa: F401  (registers the 批示落实 kind on the handling spine)
        from .services import from_proposal

        register_converter("opinion", from_proposal)

        from zhengxie.core import datacache

        # The kept statistics (core.datacache) follow every write to these tables.
        datacache.watch("opinions", "opinions_", "members_member", "members_sector")
