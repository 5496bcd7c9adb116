import inspect
from typing import Dict, Optional, Tuple

import torch
import torch.distributed as torch_dist
from mmengine.logging import MessageHub
from mmpretrain.models.classifiers import ImageClassifier

from mlic.registry import MODELS
from ..utils import multilabel_targets, refuse_unknown_labels


def infer_backbone_width(backbone: torch.nn.Module) -> Optional[int]:
    """Channel width D of a backbone's last output, when it declares it.

    mmpretrain's ResNet family sets ``feat_dim``; Swin has a per-stage
    ``num_features`` list and ConvNeXt a ``channels`` list (the entry of the
    last ``out_indices`` is used); ViT has ``embed_dims``.
    """
    value = getattr(backbone, 'feat_dim', None)
    if isinstance(value, int):
        return value
    out_indices = getattr(backbone, 'out_indices', None)
    last = out_indices[-1] if isinstance(out_indices, (list, tuple)) and \
        out_indices else -1
    for name in ('num_features', 'channels'):
        value = getattr(backbone, name, None)
        if isinstance(value, int):
            return value
        if isinstance(value, (list, tuple)) and value:
            return int(value[last])
    value = getattr(backbone, 'embed_dims', None)
    return value if isinstance(value, int) else None


@MODELS.register_module()
class MLICClassifier(ImageClassifier):
    """mmpretrain's ``ImageClassifier`` with four additions for MLIC.

    - The head's ``in_channels`` (D) is read from the backbone when the
      config leaves it out, and a conflicting value fails at build time with
      both numbers (the reference hard-codes 2048, which breaks ResNet-18/34).
    - ``parse_losses`` refuses a non-finite loss before the optimiser step,
      naming the iteration and the loss term, so no NaN reaches the weights
      or a checkpoint. In distributed runs every rank learns of it (one
      all-reduce of a flag), so no rank is left waiting. With more than one
      loss term (MLIC's contrastive loss, ``loss_embedding``) the log's
      ``loss`` is their sum, the one optimised, and the head's
      classification term is logged as ``loss_cls`` (mmengine alone would
      log the classification term under ``loss`` and drop the sum).
    - ``num_classes`` for the dataset/head consistency check.
    - An optional image-level ``embedding_loss`` (e.g.
      ``MultiLabelSupConLoss``) beside any head: the last backbone map is
      pooled, passed through a 2-layer projection to ``embedding_dims`` and
      scored against the batch's targets, as ``loss_embedding``.

    ``forward(inputs, data_samples, mode)`` is ImageClassifier's:
    ``'tensor'`` gives the logits (B, C), ``'loss'`` a dict of losses,
    ``'predict'`` ``DataSample``s with ``pred_score``.

    Args:
        backbone (dict): Backbone config.
        head (dict): Head config (e.g. ``MLICHead``).
        neck (dict, optional): Neck config.
        embedding_loss (dict, optional): Image-embedding loss config.
        embedding_dims (int): Projection width for it. Defaults to 128.
        **kwargs: ``pretrained``, ``train_cfg``, ``data_preprocessor``,
            ``init_cfg`` as in ``ImageClassifier``.
    """

    def __init__(self,
                 backbone: dict,
                 head: dict,
                 neck: Optional[dict] = None,
                 embedding_loss: Optional[dict] = None,
                 embedding_dims: int = 128,
                 **kwargs):
        if not isinstance(backbone, torch.nn.Module):
            backbone = MODELS.build(backbone)
        if isinstance(head, dict) and neck is None:
            width = infer_backbone_width(backbone)
            head = dict(head)
            if head.get('in_channels') is None:
                if width is None:
                    raise ValueError(
                        f'cannot read the output width of backbone '
                        f'{type(backbone).__name__}; set head.in_channels')
                head['in_channels'] = width
            elif width is not None and head['in_channels'] != width:
                raise ValueError(
                    f'head.in_channels={head["in_channels"]} does not match '
                    f'the width {width} of backbone {type(backbone).__name__}')
        declared = head.get('num_classes') if isinstance(head, dict) else None
        if isinstance(head, dict):
            head = MODELS.build(head)
        super().__init__(backbone=backbone, neck=neck, head=head, **kwargs)
        # Heads such as mmpretrain's CSRAClsHead do not keep num_classes.
        self._declared_num_classes = declared
        self._head_takes_targets = 'targets' in inspect.signature(
            self.head.loss).parameters
        self.embedding_loss = None
        if embedding_loss is not None:
            width = infer_backbone_width(self.backbone)
            if width is None:
                raise ValueError('embedding_loss needs the backbone width')
            self.embedding_loss = MODELS.build(embedding_loss)
            self.embedding_projector = torch.nn.Sequential(
                torch.nn.Linear(width, width), torch.nn.ReLU(inplace=True),
                torch.nn.Linear(width, embedding_dims))

    def loss(self, inputs: torch.Tensor, data_samples) -> dict:
        # The backbone runs once; the embedding loss reads its last map.
        backbone_feats = self.backbone(inputs)
        feats = self.neck(backbone_feats) if self.with_neck else \
            backbone_feats
        if self.embedding_loss is None:
            return self.head.loss(feats, data_samples)
        fmap = backbone_feats[-1]
        targets = multilabel_targets(data_samples, self.num_classes,
                                     fmap.device)
        refuse_unknown_labels(self.embedding_loss, targets,
                              'MLICClassifier.embedding_loss')
        # mlic's heads take the targets made here instead of making them
        # again (BaseMultiLabelHead.loss's ``targets``)
        extra = dict(targets=targets) if self._head_takes_targets else {}
        losses = self.head.loss(feats, data_samples, **extra)
        pooled = fmap.flatten(2).mean(-1) if fmap.dim() == 4 else fmap
        losses['loss_embedding'] = self.embedding_loss(
            self.embedding_projector(pooled), targets)
        return losses

    @property
    def num_classes(self) -> Optional[int]:
        return getattr(self.head, 'num_classes', self._declared_num_classes)

    def parse_losses(
        self, losses: Dict[str, torch.Tensor]
    ) -> Tuple[torch.Tensor, Dict[str, torch.Tensor]]:
        bad_terms = [
            name for name, value in losses.items()
            if 'loss' in name and not _all_finite(value)
        ]
        any_bad = torch.tensor(float(bool(bad_terms)))
        if torch_dist.is_available() and torch_dist.is_initialized():
            any_bad = any_bad.to(_tensor_device(losses))
            torch_dist.all_reduce(any_bad)
        if any_bad.item() > 0:
            iteration = MessageHub.get_current_instance().get_info('iter')
            where = (f'at iteration {iteration + 1}'
                     if iteration is not None else 'in this step')
            values = ', '.join(f'{name}={_describe(losses[name])}'
                               for name in bad_terms)
            raise FloatingPointError(
                f'non-finite loss {where}: '
                f'{values or "on another process"}. Training stopped before '
                'the optimiser step; the checkpoints saved so far are '
                'untouched.')
        if 'loss' in losses and any('loss' in name and name != 'loss'
                                    for name in losses):
            # mmengine logs the sum of the terms as `loss`, and a head's own
            # `loss` (mmpretrain's key for the classification term) would
            # overwrite it in the log: the classification term is logged
            # as `loss_cls` instead, the sum optimised as `loss`.
            losses = {
                ('loss_cls' if name == 'loss' else name): value
                for name, value in losses.items()
            }
        return super().parse_losses(losses)


def _all_finite(value) -> bool:
    if isinstance(value, torch.Tensor):
        return bool(torch.isfinite(value).all())
    return all(bool(torch.isfinite(v).all()) for v in value)


def _describe(value) -> str:
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return str(value.item())
    return 'non-finite'


def _tensor_device(losses: Dict[str, torch.Tensor]) -> torch.device:
    for value in losses.values():
        if isinstance(value, torch.Tensor):
            return value.device
    return torch.device('cpu')
