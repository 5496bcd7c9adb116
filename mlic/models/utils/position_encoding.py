import math

import torch


def sine_position_encoding(height: int,
                           width: int,
                           dims: int,
                           temperature: float = 10000.0,
                           device=None) -> torch.Tensor:
    """2-D sine/cosine position encoding (DETR's, normalised to 2π).

    Half of the channels encode the row, half the column.

    Returns:
        Tensor: (height * width, dims), row-major like flattened maps.
    """
    if dims % 4 != 0:
        raise ValueError(f'dims must be divisible by 4, got {dims}')
    quarter = dims // 4
    freq = temperature**(
        torch.arange(quarter, device=device).float() / quarter)
    ys = (torch.arange(height, device=device).float() + 0.5) / height
    xs = (torch.arange(width, device=device).float() + 0.5) / width
    ys = ys[:, None] * 2 * math.pi / freq  # (H, dims/4)
    xs = xs[:, None] * 2 * math.pi / freq  # (W, dims/4)
    row = torch.cat([ys.sin(), ys.cos()], dim=1)  # (H, dims/2)
    col = torch.cat([xs.sin(), xs.cos()], dim=1)  # (W, dims/2)
    return torch.cat([
        row[:, None].expand(height, width, -1), col[None].expand(
            height, width, -1)
    ],
                     dim=-1).reshape(height * width, dims)
