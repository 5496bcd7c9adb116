"""What MLIC's predicted co-occurrence graph is doing during training.

Used by :class:`MLICHead` once :class:`GraphDiagnosticsHook` has handed it
the training labels' conditional frequencies; the numbers are logged beside
the losses (mmengine logs every entry of a head's loss dict and sums only
those whose name holds ``loss``).
"""
import math
from typing import Dict, Optional

import torch

#: The contrastive loss of a present label when its three graph views
#: coincide and the other present labels do not compete (A -> 0):
#: -log(e^s / (e^s + e^s)).
COLLAPSED_CONTRASTIVE = math.log(2)


def graph_diagnostics(
        adjacency: torch.Tensor,
        targets: torch.Tensor,
        conditional: Optional[torch.Tensor] = None,
        contrastive: Optional[torch.Tensor] = None) -> Dict[str, torch.Tensor]:
    """Summaries of a batch's predicted graphs, without gradient.

    Args:
        adjacency (Tensor): A, (B, C, C); A[b, i, j] weighs the message
            label j sends to label i.
        targets (Tensor): (B, C), 1 present, 0 absent, -1 unknown (in
            neither group).
        conditional (Tensor, optional): (C, C) training-label frequencies
            P(j | i) (row i: how often j is present when i is).
        contrastive (Tensor, optional): the unweighted contrastive loss of
            the batch (a scalar).

    Returns:
        dict: ``graph/present_present`` and ``graph/present_absent``, the
        mean A over ordered pairs i != j with i present and j present
        (resp. absent), NaN where the batch has no such pair;
        ``graph/corr_with_data``, the Pearson correlation of the batch-mean
        A with ``conditional`` over the off-diagonal entries, NaN where
        either is constant (a fixed uniform graph: undefined, not 0);
        ``graph/contrastive_minus_log2``, the contrastive loss minus
        log 2 (it tends to 0 when the graph collapses to zero).
    """
    with torch.no_grad():
        a = adjacency.float()
        y = (targets > 0.5).to(a.dtype)
        absent = (targets == 0).to(a.dtype)  # unknown labels are neither
        off_diagonal = 1 - torch.eye(
            a.size(-1), dtype=a.dtype, device=a.device)
        both = y.unsqueeze(2) * y.unsqueeze(1) * off_diagonal
        present_absent = y.unsqueeze(2) * absent.unsqueeze(1)
        out = {
            'graph/present_present': (a * both).sum() / both.sum(),
            'graph/present_absent':
            (a * present_absent).sum() / present_absent.sum(),
        }
        if conditional is not None:
            mask = off_diagonal.bool()
            x = a.mean(0)[mask]
            z = conditional.to(a)[mask]
            if _is_constant(x) or _is_constant(z):
                # no correlation is defined; the rounding residue of the
                # mean would give an arbitrary one
                corr = x.new_tensor(float('nan'))
            else:
                x, z = x - x.mean(), z - z.mean()
                corr = (x * z).sum() / (x.norm() * z.norm())
            out['graph/corr_with_data'] = corr
        if contrastive is not None:
            out['graph/contrastive_minus_log2'] = \
                contrastive.detach().float() - COLLAPSED_CONTRASTIVE
    return out


def _is_constant(values: torch.Tensor) -> bool:
    """Whether all ``values`` are equal up to a relative 1e-6 (float32
    rounding)."""
    spread = values.max() - values.min()
    return bool(spread <= 1e-6 * values.abs().max())
