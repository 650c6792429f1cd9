"""/api/v1 for 协商议事 (the issue's contract): one router, each part's operations in its own module."""

from ninja import Router

router = Router(tags=["协商议事"])

# Registers the operations on `router` (imported for that effect).
from . import consultations, hall, outcomes, topics  # noqa: E402, F401
