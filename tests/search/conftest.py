"""Fixtures shared with the proposal tests (the one search box finds proposals)."""

from tests.proposals.conftest import proposal_in, units  # noqa: F401
