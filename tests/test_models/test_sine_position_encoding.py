"""The 2-D sine position encoding against its formula."""
import math

import pytest
import torch

from mlic.models.utils import sine_position_encoding


def test_sine_position_encoding_matches_the_formula():
    H, W, dims, temperature = 3, 4, 8, 10000.0
    enc = sine_position_encoding(H, W, dims, temperature)
    assert enc.shape == (H * W, dims)
    quarter = dims // 4
    for y in range(H):
        for x in range(W):
            row = enc[y * W + x]  # row-major, like a flattened (H, W) map
            for k in range(quarter):
                freq = temperature**(k / quarter)
                ay = (y + 0.5) / H * 2 * math.pi / freq
                ax = (x + 0.5) / W * 2 * math.pi / freq
                expected = [
                    math.sin(ay),
                    math.cos(ay),
                    math.sin(ax),
                    math.cos(ax),
                ]
                got = [
                    row[k], row[quarter + k], row[2 * quarter + k],
                    row[3 * quarter + k]
                ]
                assert torch.allclose(
                    torch.stack(got), torch.tensor(expected), atol=1e-6)
    assert len({tuple(r.tolist()) for r in enc}) == H * W  # all distinct
    with pytest.raises(ValueError, match='divisible by 4, got 6'):
        sine_position_encoding(2, 2, 6)
