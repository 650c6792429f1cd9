"""Fixtures of the 协商议事 tests. Each part keeps its fixtures in a module of its own, imported here."""

# 协商成果, recommendations, 票评 (tests/consultation/test_outcome*.py, test_votes*.py).
from .outcome_fixtures import county, education, held, housing, sent, written  # noqa: F401

# 选题 and the year's plan (tests/consultation/test_topics*.py, test_plan*.py).
from .topic_fixtures import clean_cache, proposed, topic_call  # noqa: E402, F401
