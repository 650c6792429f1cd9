"""Demo of 协商议事 for the demo county: a year's plan with topics of every form, an online hall with a few
thousand comments, outcomes with recommendations in units' inboxes, votes. Each part fills its own rows,
in this order (the consultations first: the other parts hang off them)."""

from zhengxie.members.models import Member

# member1 keeps room in its 履职活动 category: the browser journey of duty points shows a rise there.
KEEP_ROOM = ("member1",)


def demo_members(organisation):
    """The committee's active members with accounts who speak and comment in the demo (by pk)."""
    return (
        Member.objects.filter(organisation=organisation, status=Member.Status.ACTIVE, user__isnull=False)
        .exclude(user__username__in=KEEP_ROOM)
        .order_by("pk")
    )


from . import consultations, hall, outcomes, topics  # noqa: E402


def load(ctx) -> None:
    consultations.load(ctx)
    topics.load(ctx)
    hall.load(ctx)
    outcomes.load(ctx)
