import torch
from mmengine.hooks import Hook

from mlic.registry import HOOKS
from mlic.utils.distributed import unwrap_model
from .label_cooccurrence_hook import dataset_cooccurrence


@HOOKS.register_module()
class GraphDiagnosticsHook(Hook):
    """Log what MLIC's predicted co-occurrence graph does while it trains.

    Before training it computes the training labels' P(j | i) (from
    ``get_cat_ids``, no image read, as :class:`LabelCooccurrenceHook`) and
    calls ``head.enable_graph_diagnostics(P)``; from then on every training
    step's loss dict carries, for the log and TensorBoard (not optimised):

    - ``graph/present_present``: mean predicted A[b, i, j] over the ordered
      pairs of distinct labels both present in image b;
    - ``graph/present_absent``: the same over i present, j absent;
    - ``graph/corr_with_data``: correlation of the batch-mean A with
      P(j | i) over the off-diagonal entries (NaN, undefined, for a
      constant graph such as the fixed uniform one);
    - ``graph/contrastive_minus_log2``: the contrastive loss (without λ)
      minus log 2, which it approaches when A collapses towards zero (the
      three graph views then coincide; docs/method.md, "The graph
      collapse").

    mmengine's logger averages them over its window like the losses. The
    hook computes nothing itself per step: the head summarises the graph
    it has just predicted (no extra forward pass).
    """

    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        model = unwrap_model(runner.model)
        head = model.head
        if not hasattr(head, 'enable_graph_diagnostics'):
            raise TypeError(
                f'{type(head).__name__} has no enable_graph_diagnostics; '
                'GraphDiagnosticsHook serves heads that predict a '
                'co-occurrence graph (MLICHead)')
        cooc, counts = dataset_cooccurrence(runner.train_dataloader.dataset,
                                            head.num_classes)
        conditional = cooc / counts.clamp_min(1)  # (C, C) denominators
        device = next(head.parameters()).device
        head.enable_graph_diagnostics(conditional.to(device, torch.float32))
