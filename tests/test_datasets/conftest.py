import numpy as np
import pytest


@pytest.fixture
def image():
    """A (40, 40, 3) uint8 noise image, the same in every test."""
    return np.random.default_rng(0).integers(
        0, 256, (40, 40, 3), dtype=np.uint8)
