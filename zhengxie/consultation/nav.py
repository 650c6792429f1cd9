"""The 协商议事 menu entries and workbench to-dos; each part registers its own entries."""

from django.urls import reverse  # noqa: F401

from zhengxie.core.models import Office, Role
from zhengxie.core.navigation import register, todo_provider  # noqa: F401

SECTION = "协商议事"
STAFF_OFFICES = [Office.GENERAL, Office.COMMITTEE]

# Consultations (views/consultations.py).
register(
    SECTION,
    "协商活动",
    "consultation:list",
    roles=[Role.STAFF, Role.LEADER, Role.SYSADMIN, Role.MEMBER, Role.LIAISON],
    icon="people",
    order=500,
)

# Topics and the plan (views/topics.py).

# The online hall (views/hall.py).

# Outcomes and votes (views/outcomes.py).
