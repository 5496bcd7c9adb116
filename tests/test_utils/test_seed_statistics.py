import math

import pytest

from mlic.utils import mean_std, paired_interval


def test_mean_std_uses_the_sample_std():
    mean, std = mean_std([80.0, 82.0, 84.0])
    assert mean == pytest.approx(82.0)
    # sample std: sqrt(((-2)^2 + 0 + 2^2) / (3 - 1)) = 2
    assert std == pytest.approx(2.0)


def test_mean_std_of_one_seed_has_no_spread():
    mean, std = mean_std([65.43])
    assert mean == pytest.approx(65.43)
    assert math.isnan(std)


def test_mean_std_refuses_no_values():
    with pytest.raises(ValueError, match='at least one value'):
        mean_std([])


def test_paired_interval_by_hand():
    # differences 1, 2, 3: mean 2, sample std 1, Student's t quantile
    # t_{0.975, 2} = 4.302653 (tables), half-width 4.302653 / sqrt(3)
    mean, half = paired_interval([1.0, 2.0, 3.0])
    assert mean == pytest.approx(2.0)
    assert half == pytest.approx(4.302653 / math.sqrt(3), rel=1e-6)


def test_paired_interval_other_confidence():
    # t_{0.95, 3} = 2.353363 for a two-sided 90 % interval
    mean, half = paired_interval([0.5, -0.5, 1.5, 2.5], confidence=0.9)
    assert mean == pytest.approx(1.0)
    std = math.sqrt((0.25 + 2.25 + 0.25 + 2.25) / 3)
    assert half == pytest.approx(2.353363 * std / 2, rel=1e-6)


def test_paired_interval_needs_two_seeds():
    assert paired_interval([1.0]) is None
    assert paired_interval([]) is None
