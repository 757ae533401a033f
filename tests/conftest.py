"""Test settings: Hypothesis runs the same examples everywhere, without deadlines.

``XL_ROI_HYPOTHESIS=thorough`` runs fifteen times as many random examples (for a long soak).
"""

import os

from hypothesis import settings

settings.register_profile("xl_roi", deadline=None, max_examples=200, derandomize=True)
settings.register_profile("thorough", deadline=None, max_examples=3_000)
settings.load_profile(os.environ.get("XL_ROI_HYPOTHESIS", "xl_roi"))
