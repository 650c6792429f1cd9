"""Demo of 协商议事 for the demo county: a year's plan with topics of every form, an online hall with a few
thousand comments, outcomes with recommendations in units' inboxes, votes. Each part fills its own rows,
in this order (the consultations first: the other parts hang off them)."""

from . import consultations, hall, outcomes, topics


def load(ctx) -> None:
    consultations.load(ctx)
    topics.load(ctx)
    hall.load(ctx)
    outcomes.load(ctx)
