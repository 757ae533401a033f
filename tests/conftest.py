"""Test settings: Hypothesis runs the same number of examples everywhere, without deadlines."""

from hypothesis import settings

settings.register_profile("xl_roi", deadline=None, max_examples=200, derandomize=True)
settings.load_profile("xl_roi")
