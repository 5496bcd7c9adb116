import torch
import torch.nn as nn

from mlic.registry import MODELS


@MODELS.register_module()
class GatedGraphEncoder(nn.Module):
    """Gated graph neural network over a per-image label graph
    (docs/method.md §1.5).

    Starting from H = F, each of ``num_steps`` steps (weights shared):

    - m = A · H                          (B, C, C) x (B, C, D)
    - z = σ(W1 m + U1 H), r = σ(W2 m + U2 H)
    - H~ = tanh(W3 m + U3 (r ⊙ H))
    - H = (1 - z) ⊙ H + z ⊙ H~

    The six maps are bias-free ``Linear(D, D)``. Written here rather than
    taken from a library because neither mmcv nor mmpretrain has a gated
    GNN, and this exact update is what reference checkpoints were trained
    with. The two gate message maps are applied as one matmul (their weights
    concatenated) to halve the kernel launches; the math is unchanged.

    Args:
        embed_dims (int): Feature width D.
        num_steps (int): Propagation steps T. Defaults to 1.
    """

    def __init__(self, embed_dims: int, num_steps: int = 1):
        super().__init__()
        if num_steps < 1:
            raise ValueError(f'num_steps must be >= 1, got {num_steps}')
        self.num_steps = num_steps
        self.update_msg = nn.Linear(embed_dims, embed_dims, bias=False)
        self.update_state = nn.Linear(embed_dims, embed_dims, bias=False)
        self.reset_msg = nn.Linear(embed_dims, embed_dims, bias=False)
        self.reset_state = nn.Linear(embed_dims, embed_dims, bias=False)
        self.candidate_msg = nn.Linear(embed_dims, embed_dims, bias=False)
        self.candidate_state = nn.Linear(embed_dims, embed_dims, bias=False)

    def forward(self, feats: torch.Tensor,
                adjacency: torch.Tensor) -> torch.Tensor:
        """Args:
            feats (Tensor): Initial node states F, (B, C, D).
            adjacency (Tensor): Edge weights A, (B, C, C); A[b, i, j] weighs
                the message from j to i.

        Returns:
            Tensor: Node states after T steps, (B, C, D).
        """
        gate_msg_weight = torch.cat(
            [self.update_msg.weight, self.reset_msg.weight], dim=0)
        gate_state_weight = torch.cat(
            [self.update_state.weight, self.reset_state.weight], dim=0)
        hidden = feats
        for _ in range(self.num_steps):
            msg = torch.bmm(adjacency, hidden)
            gates = torch.sigmoid(
                nn.functional.linear(msg, gate_msg_weight) +
                nn.functional.linear(hidden, gate_state_weight))
            update, reset = gates.chunk(2, dim=-1)
            candidate = torch.tanh(
                self.candidate_msg(msg) + self.candidate_state(reset * hidden))
            hidden = (1 - update) * hidden + update * candidate
        return hidden
