"""GraphDiagnosticsHook and graph_diagnostics: the logged summaries of
MLIC's predicted graph, the collapse computation (shifting the graph
predictor's bias drives the contrastive loss to log 2 whatever the labels),
and a real training log that shows them."""
import json
import math
import os.path as osp

import pytest
import torch

from mlic import register_all_modules
from mlic.models.heads.graph_diagnostics import graph_diagnostics
from mlic.registry import MODELS
from ..test_tools.helpers import REPO_ROOT, loader_options, run_tool

register_all_modules()


def test_summaries_on_a_hand_made_graph():
    y = torch.tensor([[1., 1., 0.], [1., 0., 1.]])
    a = torch.tensor([[[0.9, 0.8, 0.1], [0.7, 0.9, 0.2], [0.3, 0.3, 0.3]],
                      [[0.5, 0.0, 0.6], [0.4, 0.4, 0.4], [0.2, 0.1, 0.9]]])
    conditional = torch.tensor([[1.0, 0.5, 0.5], [1.0, 1.0, 0.0],
                                [1.0, 0.0, 1.0]])
    out = graph_diagnostics(a, y, conditional, torch.tensor(0.9))
    # present-present, i != j: image 0 (0,1)=0.8 (1,0)=0.7; image 1
    # (0,2)=0.6 (2,0)=0.2
    assert out['graph/present_present'].item() == pytest.approx(2.3 / 4)
    # present i, absent j: image 0 (0,2)=0.1 (1,2)=0.2; image 1 (0,1)=0.0
    # (2,1)=0.1
    assert out['graph/present_absent'].item() == pytest.approx(0.4 / 4)
    mean = a.mean(0)
    mask = ~torch.eye(3, dtype=torch.bool)
    x, z = mean[mask], conditional[mask]
    expected = torch.corrcoef(torch.stack([x, z]))[0, 1]
    assert out['graph/corr_with_data'].item() == pytest.approx(
        expected.item(), abs=1e-6)
    assert out['graph/contrastive_minus_log2'].item() == pytest.approx(
        0.9 - math.log(2))
    # a constant graph (the fixed uniform one) has an undefined
    # correlation: NaN, not a 0 that would read as "uncorrelated"
    flat = graph_diagnostics(torch.full_like(a, 0.5), y, conditional)
    assert math.isnan(flat['graph/corr_with_data'].item())
    # and so do labels whose P(j | i) is constant
    flat = graph_diagnostics(a, y, torch.full_like(conditional, 0.3))
    assert math.isnan(flat['graph/corr_with_data'].item())


def small_head(**kw):
    torch.manual_seed(0)
    return MODELS.build(
        dict(
            type='MLICHead',
            num_classes=10,
            in_channels=32,
            transformer=dict(
                type='LabelQueryTransformer', ffn_dim=64, dropout=0.0),
            graph_encoder=dict(type='GatedGraphEncoder', num_steps=1),
            contrastive_loss=dict(type='CooccurrenceContrastiveLoss'),
            **kw)).eval()


def multi_hot(labels):
    y = torch.zeros(len(labels), 10)
    for b, present in enumerate(labels):
        y[b, present] = 1
    return y


def test_collapse_bias_shift_drives_the_contrastive_loss_to_log2():
    """The mechanism of docs/method.md, "The graph collapse": for a present
    label the anchor, positive and negative views differ only through A.
    Lowering only the graph predictor's bias sends A towards 0, the three
    views together, and the loss to log 2 for any labels; the informative
    graph A = y y^T gives a far lower loss, so the collapse is a shortcut,
    not the minimum."""
    head = small_head()
    feats = (torch.randn(4, 32, 4, 4), )
    bias = head.cooccurrence.fc.bias.data.clone()
    label_sets = ([[0, 1, 2], [3, 4], [5, 6, 7, 8], [9,
                                                     0]], [[1, 5], [2, 7, 9],
                                                           [0, 3], [4, 6, 8]])
    collapsed = []
    for labels in label_sets:
        y = multi_hot(labels)
        trail = []
        for shift in (0.0, -4.0, -8.0):
            head.cooccurrence.fc.bias.data = bias + shift
            with torch.no_grad():
                out = head.forward_features(feats, y)
                loss = head.contrastive_loss(
                    out['graph_feats'],
                    out['positive'],
                    out['negative'],
                    y,
                    slots=out.get('slots'))
            trail.append((out['adjacency'].mean().item(), loss.item()))
        head.cooccurrence.fc.bias.data = bias
        means, losses = zip(*trail)
        assert means[0] > 0.3 and means[1] < 0.05 and means[2] < 1e-3
        assert losses[0] > losses[1] > losses[2]
        assert losses[2] == pytest.approx(math.log(2), abs=0.01)
        collapsed.append(losses[2])
        with torch.no_grad():
            label_feats = head.transformer(head.pre_logits(feats))
            informative = y.unsqueeze(2) * y.unsqueeze(1)
            anchor = head.graph_encoder(label_feats, informative)
            positive, negative = head.contrastive_views(
                label_feats, informative, y)
            best = head.contrastive_loss(anchor, positive, negative, y)
        assert best.item() < 0.2 < math.log(2)
    # at the collapse the loss no longer depends on the labels
    assert collapsed[0] == pytest.approx(collapsed[1], abs=0.01)


def test_head_adds_summaries_only_when_enabled():
    head = small_head().train()
    from mmpretrain.structures import DataSample
    samples = [DataSample().set_gt_label(lab) for lab in ([1, 2], [3])]
    feats = (torch.randn(2, 32, 4, 4), )
    assert set(head.loss(feats, samples)) == {'loss', 'loss_contrastive'}
    head.enable_graph_diagnostics(torch.rand(10, 10))
    losses = head.loss(feats, samples)
    assert {
        'graph/present_present', 'graph/present_absent',
        'graph/corr_with_data', 'graph/contrastive_minus_log2'
    } <= set(losses)
    assert not any('loss' in k
                   for k in losses if k.startswith('graph/'))  # not summed
    no_graph = MODELS.build(
        dict(
            type='MLICHead',
            num_classes=10,
            in_channels=32,
            graph_encoder=None,
            cooccurrence=None,
            contrastive_loss=None))
    with pytest.raises(TypeError, match='no graph to diagnose'):
        no_graph.enable_graph_diagnostics()


def test_training_log_shows_the_graph_diagnostics(tmp_path):
    """The MLIC protocol config trains with the hook: the text log and
    vis_data/scalars.json (what TensorBoard gets) carry the summaries."""
    config = osp.join(REPO_ROOT, 'configs', 'mlic', 'mlic_multiglyphs-val.py')
    opts = loader_options(
        str(tmp_path / 'mg'), num_train=40, num_test=8, batch=8, epochs=2)
    opts += [
        'train_dataloader.dataset.num_val=8',
        'val_dataloader.dataset.num_val=8', 'param_scheduler.0.end=2',
        'param_scheduler.1.end=2', 'train_cfg.val_interval=2'
    ]
    code, text = run_tool([
        osp.join(REPO_ROOT, 'tools', 'train.py'), config, '--work-dir',
        str(tmp_path / 'run'), '--cfg-options'
    ] + opts)
    assert code == 0, text[-3000:]
    for key in ('graph/present_present', 'graph/present_absent',
                'graph/corr_with_data', 'graph/contrastive_minus_log2'):
        assert f'{key}: ' in text
    scalars = list((tmp_path / 'run').glob('*/vis_data/scalars.json'))
    assert len(scalars) == 1
    rows = [
        json.loads(line) for line in scalars[0].read_text().split('\n') if line
    ]
    assert any('graph/corr_with_data' in row for row in rows)


def test_hook_refuses_a_head_without_a_graph(tmp_path):
    from mlic.engine.hooks import GraphDiagnosticsHook

    class Runner:

        class model:
            head = torch.nn.Linear(2, 2)

    with pytest.raises(TypeError, match='has no enable_graph_diagnostics'):
        GraphDiagnosticsHook().before_train(Runner)
