"""Fixtures of the handling spine's tests: the proposals fixtures (units, proposal_in …) reused."""

from tests.proposals.conftest import *  # noqa: F401,F403
