from typing import Optional

import torch

from mlic.registry import MODELS
from .large_loss_modification import LargeLossModification
from .sample_rows import check_sample_indices, gather_from_ranks, table_size


@MODELS.register_module()
class LargeLossPermanentCorrection(LargeLossModification):
    """Large-loss permanent correction (LL-Cp), Kim et al., "Large Loss
    Matters in Weakly Supervised Multi-Label Classification" (CVPR 2022).

    As LL-Ct (:class:`LargeLossModification` with ``mode='correct'``), the
    largest losses among the batch's unknown labels are scored as
    positives; LL-Cp also keeps the correction: the label becomes a known
    positive of that training image for the rest of training, as the
    authors' code writes it into the training set's observed labels. Here
    the corrections live in the loss, an N × C boolean table
    (``corrected``, a buffer: saved and resumed with the checkpoint, N × C
    bytes), keyed by the batch's dataset indices that the heads pass as
    ``sample_idx``; under distributed training the ranks exchange the
    corrections of each step so that every replica holds the same table.
    A corrected label counts as known in later steps: it is no longer a
    candidate, and the number modified per batch (``delta_rel`` × epoch ×
    B·C) is taken among the labels still unknown.

    Only the classification loss sees the corrections; a co-occurrence
    head's graph statistics and views keep reading the dataset's labels.

    Not reused from mmpretrain: it has no partial-label loss.

    Args:
        num_samples (int): N, the training set's length (the largest
            ``sample_idx`` + 1). An index outside it is refused.
        num_classes (int): C.
        delta_rel (float): Growth of the modified fraction per epoch.
            Defaults to 0.002.
        loss (dict): Base loss. Defaults to ``ReferenceAsymmetricLoss``
            with ``gamma_neg=0`` (binary cross-entropy, as in the paper).
    """

    #: The head passes the batch's dataset indices as ``sample_idx``;
    #: UnknownLabelCheckHook checks the training set against them and
    #: :attr:`num_samples` before the first iteration.
    needs_sample_indices = True

    def __init__(self,
                 num_samples: int,
                 num_classes: int,
                 delta_rel: float = 0.002,
                 loss: dict = dict(
                     type='ReferenceAsymmetricLoss', gamma_neg=0.0)):
        super().__init__(mode='correct', delta_rel=delta_rel, loss=loss)
        self.register_buffer(
            'corrected',
            torch.zeros(
                *table_size(type(self).__name__, num_samples, num_classes),
                dtype=torch.bool))

    @property
    def num_samples(self) -> int:
        """N, the rows of the table (one per training image)."""
        return self.corrected.size(0)

    def forward(self,
                cls_score: torch.Tensor,
                label: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None,
                sample_idx: Optional[torch.Tensor] = None) -> torch.Tensor:
        """The LL-Cp loss of scores (B, C) against targets (B, C) in
        {1, 0, -1} for the training images ``sample_idx`` (B, ) long."""
        self.check_call(weight, reduction_override)
        sample_idx = check_sample_indices(
            type(self).__name__, sample_idx, label, self.corrected)
        label = label.float()
        # earlier corrections are known positives now
        label = torch.where(self.corrected[sample_idx].to(label.device),
                            torch.ones_like(label), label)
        losses, large = self.modified_losses(cls_score, label)
        # from epoch 1 on every rank exchanges every step, whether or not
        # its own batch had a label to correct (a rank that skipped the
        # exchange would leave the others waiting)
        if self.training and self.current_epoch() > 0:
            self._keep(
                sample_idx, large if large is not None else torch.zeros_like(
                    label, dtype=torch.bool))
        return self.reduce(losses, avg_factor)

    @torch.no_grad()
    def _keep(self, sample_idx: torch.Tensor, large: torch.Tensor) -> None:
        """Write this step's corrections (every rank's) into the table."""
        rows, cols = large.nonzero(as_tuple=True)
        device = self.corrected.device
        idx, cols = gather_from_ranks(sample_idx[rows].to(device),
                                      cols.to(device))
        self.corrected[idx, cols] = True
