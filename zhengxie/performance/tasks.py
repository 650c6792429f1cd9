"""Background tasks of duty performance."""

from django_tasks import task

from zhengxie.core import exports as core_exports


@task()
def recompute_scores(recomputation_id: int) -> None:
    """Recompute a year's scores for everyone of an organisation (after a scheme change)."""
    from .models import Recomputation
    from .services import run_recomputation

    run = Recomputation.objects.filter(pk=recomputation_id).first()
    if run is not None and run.status in (Recomputation.Status.PENDING, Recomputation.Status.RUNNING):
        run_recomputation(run)


# --- exports (core.exports) ---------------------------------------------------------------------------

RENOMINATION_KIND = "performance.renomination_xlsx"


def _renomination_may_start(user) -> bool:
    return user.has_perm("performance.view_renomination")


def build_renomination_xlsx(user, params: dict, progress) -> tuple[str, bytes]:
    from . import renomination

    term = renomination.get_term(user, params.get("term"))
    progress(10)
    data = renomination.renomination(term, params.get("suggest", ""))
    progress(80)
    return f"{term.organisation.name}{term.name}换届提名参考名单.xlsx", renomination.xlsx(data)


def renomination_size(user, params: dict) -> int:
    from . import renomination

    return renomination.members_of(renomination.get_term(user, params.get("term"))).count()


core_exports.register(
    RENOMINATION_KIND,
    build_renomination_xlsx,
    title="换届提名参考名单导出",
    may_start=_renomination_may_start,
    back=("换届提名参考名单", "performance:renomination"),
    size=renomination_size,
)
