import math
from typing import Optional

import torch
import torch.nn as nn

from mlic.registry import MODELS
from .elementwise_loss_wrapper import ElementwiseLossWrapper
from .expected_positive_regularization_loss import expected_positive_penalty
from .loss_args import check_loss_args
from .sample_rows import check_sample_indices, gather_from_ranks, table_size


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


@MODELS.register_module()
class RegularizedOnlineLabelEstimationLoss(ElementwiseLossWrapper):
    """Regularised online label estimation (ROLE), Cole et al., "Multi-Label
    Learning from Single Positive Labels" (CVPR 2021).

    Besides the classifier's scores f (B, C), ROLE learns an estimate g of
    every training image's full label vector: a table of N × C logits
    (``label_logits``), trained with the network. For each image of the
    batch the loss is the mean of two symmetric halves,

    - f against the known labels, plus f against g's current estimate
      (detached) as soft targets, plus the expected-positive penalty on f;
    - g against the known labels, plus g against f's current scores
      (detached) as soft targets, plus the same penalty on g;

    each label term the base loss's per-label value, summed over the batch
    over B·C; the penalty is EPR's ``reg_weight · ((k̂ - k) / C)²`` with k̂
    the batch's mean of the summed sigmoids (see
    :class:`ExpectedPositiveRegularizationLoss`). The known-label terms
    cover known positives and, where a protocol keeps them, known
    negatives (the paper has positives only; on single-positive labels the
    two are the same).

    g starts as in the paper: unknown labels uniformly in
    ``sigmoid(±logit(0.5 + init_spread))`` (from torch's generator, so
    seeded with the run), known positives at ``known_confidence`` and known
    negatives at ``1 - known_confidence``. The known labels are written the
    first time an image is seen, because the loss does not see the dataset
    before training; under distributed training the ranks exchange the
    rows they first see so that every replica holds the same table.

    The table is a parameter of the model: the optimizer trains it (the
    paper uses 10× the learning rate and no weight decay; give it
    ``paramwise_cfg=dict(custom_keys={'head.loss_module.label_logits':
    dict(lr_mult=10, decay_mult=0)})``), it is saved and resumed with the
    checkpoint (N × C float32, e.g. 26 MB for COCO's 82,081 × 80), and the
    head passes the batch's dataset indices (``sample_idx`` of each data
    sample, which mmengine's datasets set) as ``sample_idx``.

    Not reused from mmpretrain: it has no partial-label loss; the formula
    follows the paper and its authors' description, in this project's
    code.

    Args:
        num_samples (int): N, the training set's length (the largest
            ``sample_idx`` + 1). An index outside it is refused.
        num_classes (int): C.
        expected_positives (float): k, the positives an image has on
            average (the paper takes it from the fully labelled data).
        loss (dict): Base loss with ``elementwise`` (soft targets in
            [0, 1]). Defaults to ``ReferenceAsymmetricLoss`` with
            ``gamma_neg=0`` (binary cross-entropy).
        reg_weight (float): Weight of the penalty. Defaults to 1.
        init_spread (float): w of the initial estimates. Defaults to 0.1.
        known_confidence (float): Initial estimate of a known positive.
            Defaults to 0.995.
    """

    #: The head passes the batch's dataset indices as ``sample_idx``;
    #: UnknownLabelCheckHook checks the training set against them and
    #: :attr:`num_samples` before the first iteration.
    needs_sample_indices = True

    def __init__(self,
                 num_samples: int,
                 num_classes: int,
                 expected_positives: float,
                 loss: dict = dict(
                     type='ReferenceAsymmetricLoss', gamma_neg=0.0),
                 reg_weight: float = 1.0,
                 init_spread: float = 0.1,
                 known_confidence: float = 0.995):
        super().__init__(loss)
        name = type(self).__name__
        num_samples, num_classes = table_size(name, num_samples, num_classes)
        check_loss_args(
            name,
            positive=('expected_positives', 'known_confidence'),
            expected_positives=expected_positives,
            reg_weight=reg_weight,
            init_spread=init_spread,
            known_confidence=known_confidence)
        if not init_spread < 0.5 or not 0.5 < known_confidence < 1:
            raise ValueError(
                f'{name}: init_spread must be < 0.5 and known_confidence in '
                f'(0.5, 1), got {init_spread!r} and {known_confidence!r}')
        self.expected_positives = float(expected_positives)
        self.reg_weight = reg_weight
        self.known_logit = _logit(known_confidence)
        spread = _logit(0.5 + init_spread)
        self.label_logits = nn.Parameter(
            (torch.rand(num_samples, num_classes) * 2 - 1) * spread)
        # which rows hold their known labels already (saved and resumed)
        self.register_buffer('seen',
                             torch.zeros(num_samples, dtype=torch.bool))

    @property
    def num_samples(self) -> int:
        """N, the rows of the table (one per training image)."""
        return self.label_logits.size(0)

    def forward(self,
                cls_score: torch.Tensor,
                label: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None,
                sample_idx: Optional[torch.Tensor] = None) -> torch.Tensor:
        """The ROLE loss of scores (B, C) against targets (B, C) in
        {1, 0, -1} for the training images ``sample_idx`` (B, ) long."""
        self.check_call(weight, reduction_override)
        label = label.float()
        estimates = self.estimate_logits(sample_idx, label)
        known = label >= 0
        positive = label.clamp(min=0)
        elementwise = self.base.elementwise
        classifier = elementwise(cls_score, positive) * known + elementwise(
            cls_score, torch.sigmoid(estimates.detach().float()))
        estimator = elementwise(estimates, positive) * known + elementwise(
            estimates, torch.sigmoid(cls_score.detach().float()))
        penalty = 0.5 * sum(
            expected_positive_penalty(logits, self.expected_positives,
                                      self.reg_weight)
            for logits in (cls_score, estimates))
        return self.reduce(0.5 * (classifier + estimator), avg_factor) + \
            self.base.loss_weight * penalty

    def estimate_logits(self, sample_idx: Optional[torch.Tensor],
                        label: torch.Tensor) -> torch.Tensor:
        """g's logits (B, C) for the batch, writing the known labels of the
        images seen for the first time into the table."""
        sample_idx = check_sample_indices(
            type(self).__name__, sample_idx, label, self.label_logits)
        if self.training and not bool(self.seen.all()):
            self._write_known_labels(sample_idx, label)
        return self.label_logits[sample_idx]

    @torch.no_grad()
    def _write_known_labels(self, sample_idx: torch.Tensor,
                            label: torch.Tensor) -> None:
        """Set the known labels of unseen rows to ±``known_logit``; every
        rank writes every rank's new rows, so the replicas stay equal."""
        new = ~self.seen[sample_idx]
        idx, labels = gather_from_ranks(sample_idx[new],
                                        label[new].to(torch.int8))
        block = self.label_logits.data[idx]
        block[labels == 1] = self.known_logit
        block[labels == 0] = -self.known_logit
        self.label_logits.data[idx] = block
        self.seen[idx] = True
