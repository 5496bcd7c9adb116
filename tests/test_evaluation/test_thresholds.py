"""Per-label thresholds files: round trip and named errors."""
import numpy as np
import pytest


def test_thresholds_file_round_trip_and_errors(tmp_path):
    from mlic.evaluation.functional import load_thresholds, save_thresholds
    path = str(tmp_path / 'thr.json')
    save_thresholds(path, np.array([0.25, 0.5, 0.75]), ['a', 'b', 'c'])
    np.testing.assert_array_equal(
        load_thresholds(path, ['a', 'b', 'c']),
        np.array([0.25, 0.5, 0.75], np.float32))
    with pytest.raises(
            ValueError,
            match='thr.json holds thresholds for '
            'other labels than these 2'):
        load_thresholds(path, ['a', 'b'])
    (tmp_path / 'bad.json').write_text('{"classes": ["a"]}')
    with pytest.raises(ValueError, match='bad.json is not a thresholds file'):
        load_thresholds(str(tmp_path / 'bad.json'), ['a'])
