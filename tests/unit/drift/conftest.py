"""The drift tests' random generator; their data helpers are in drift_frames.py."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240501)
