from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn

from mlic.registry import MODELS
from ..utils import gather_rows


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
    with.

    The message maps are applied before aggregation, W (A H) = A (H W^T)
    (the same product, associated the other way), so that
    :meth:`forward_with_views` can share the first step's five projections
    of F between the anchor graph and the contrastive views, which differ
    only in A: the views' first step then costs three (C x C)(C x D)
    products and one D x D map instead of six. Results equal the
    message-first order up to float rounding.

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

    def project(self, hidden: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """The five maps that do not depend on A, applied to node states.

        Args:
            hidden (Tensor): (B, C, D).

        Returns:
            tuple[Tensor]: W1 H, W2 H, W3 H (to be aggregated by A), U1 H,
            U2 H; each (B, C, D).
        """
        return (self.update_msg(hidden), self.reset_msg(hidden),
                self.candidate_msg(hidden), self.update_state(hidden),
                self.reset_state(hidden))

    def propagate(self,
                  feats: torch.Tensor,
                  adjacency: torch.Tensor,
                  first: Tuple[torch.Tensor, ...],
                  rows: Optional[torch.Tensor] = None) -> torch.Tensor:
        """T steps from ``feats``, the first using ``project(feats)``.

        Args:
            feats (Tensor): F, (B, C, D).
            adjacency (Tensor): A, (B, C, C).
            first (tuple[Tensor]): ``project(feats)``.
            rows (Tensor, optional): (B, K) label indices. Given, only
                these rows of the result are returned, and the last step
                is computed for them alone: every label's state still
                feeds the earlier steps and the last step's messages, so
                they equal the full result's rows.

        Returns:
            Tensor: (B, C, D), or (B, K, D) with ``rows``.
        """
        hidden = feats
        last = self.num_steps - 1
        for step in range(self.num_steps):
            at_rows = rows is not None and step == last
            if step == 0:
                update_msg, reset_msg, candidate_msg, update_state, \
                    reset_state = first
                if at_rows:
                    update_state, reset_state = (
                        gather_rows(t, rows)
                        for t in (update_state, reset_state))
            else:
                update_msg, reset_msg, candidate_msg = (
                    self.update_msg(hidden), self.reset_msg(hidden),
                    self.candidate_msg(hidden))
                state = gather_rows(hidden, rows) if at_rows else hidden
                update_state = self.update_state(state)
                reset_state = self.reset_state(state)
            if at_rows:
                adjacency = gather_rows(adjacency, rows)  # (B, K, C)
                hidden = gather_rows(hidden, rows)
            update = torch.sigmoid(
                torch.bmm(adjacency, update_msg) + update_state)
            reset = torch.sigmoid(
                torch.bmm(adjacency, reset_msg) + reset_state)
            candidate = torch.tanh(
                torch.bmm(adjacency, candidate_msg) +
                self.candidate_state(reset * hidden))
            hidden = (1 - update) * hidden + update * candidate
        return hidden

    def forward(self, feats: torch.Tensor,
                adjacency: torch.Tensor) -> torch.Tensor:
        """Args:
            feats (Tensor): Initial node states F, (B, C, D).
            adjacency (Tensor): Edge weights A, (B, C, C); A[b, i, j] weighs
                the message from j to i.

        Returns:
            Tensor: Node states after T steps, (B, C, D).
        """
        return self.propagate(feats, adjacency, self.project(feats))

    def forward_with_views(
        self,
        feats: torch.Tensor,
        adjacency: torch.Tensor,
        view_adjacencies: Sequence[torch.Tensor],
        rows: Optional[torch.Tensor] = None,
        closed: Sequence[bool] = ()
    ) -> Tuple[torch.Tensor, List[torch.Tensor]]:
        """The graph output on A, with gradient, and on each view's graph
        without gradient, all from the same F.

        Equal to ``forward(feats, adjacency)`` and
        ``[forward(feats, a).detach() for a in view_adjacencies]``, the
        latter taken at ``rows`` when given. The first step's projections
        of F are computed once for all; a view's last step is computed for
        its rows alone, and a view marked closed is propagated on the
        subgraph of its rows alone, which saves most of a view when few
        labels are asked for.

        Args:
            feats (Tensor): F, (B, C, D).
            adjacency (Tensor): A, (B, C, C).
            view_adjacencies (Sequence[Tensor]): Each (B, C, C).
            rows (Tensor, optional): (B, K) label indices of the views'
                rows that are needed.
            closed (Sequence[bool]): Per view, True when no label in
                ``rows`` receives a message from a label outside them
                (``a[b, i, j] == 0`` for i in rows[b], j not in rows[b]),
                as for MLIC's positive view, A masked to pairs of present
                labels. Then the rows' states never depend on the others.
                Needs ``rows``. Missing entries count as False.

        Returns:
            tuple: H^T (B, C, D) and the list of view outputs, each
            (B, C, D), or (B, K, D) with ``rows``.
        """
        first = self.project(feats)
        anchor = self.propagate(feats, adjacency, first)
        with torch.no_grad():
            feats = feats.detach()
            first = tuple(t.detach() for t in first)
            views = []
            for index, view in enumerate(view_adjacencies):
                if index < len(closed) and closed[index]:
                    if rows is None:
                        raise ValueError('a closed view needs rows')
                    # the (B, K, K) graph among the rows
                    view = gather_rows(
                        gather_rows(view, rows).transpose(1, 2),
                        rows).transpose(1, 2)
                    views.append(
                        self.propagate(
                            gather_rows(feats, rows), view,
                            tuple(gather_rows(t, rows) for t in first)))
                else:
                    views.append(self.propagate(feats, view, first, rows))
        return anchor, views
