from mmpretrain.models.heads import CSRAClsHead

from mlic.registry import MODELS
from .base_multilabel_head import CLASS_ACTIVATION, TargetsFromDataSamplesMixin


@MODELS.register_module()
class CSRAHead(TargetsFromDataSamplesMixin, CSRAClsHead):
    """mmpretrain's CSRA head (Zhu & Wu, "Residual Attention: A Simple but
    Effective Method for Multi-Label Recognition", ICCV 2021), reused whole:
    same arguments, parameters and scores as ``CSRAClsHead``, plus
    :meth:`label_maps` for the visual tools. Its loss reads the targets
    through mlic's funnel (:class:`TargetsFromDataSamplesMixin`), so unknown
    labels reach the loss as -1 instead of as negatives; with full labels
    the targets, and so the loss, are those of ``CSRAClsHead``.

    It is a subclass, not a wrapper, so checkpoints of ``CSRAClsHead``
    load unchanged.
    """

    def label_maps(self, feats) -> dict:
        """Each label's class score map (B, C, H', W') on the grid of
        ``feats[-1]`` (B, D, H', W'): per attention branch, its 1 x 1
        classifier at every position divided by the classifier's norm (as
        the branch scores), summed over branches. The logits are the head's
        own, (B, C)."""
        fmap = feats[-1]
        maps = 0
        for branch in self.csra_heads:
            weight = branch.head.weight  # (C, D, 1, 1)
            norm = weight.flatten(1).norm(dim=1)[None, :, None, None]
            maps = maps + branch.head(fmap) / norm
        return dict(logits=self(feats), maps=maps, kind=CLASS_ACTIVATION)
