"""The two opt-in variants against the graph collapse: cosine similarities
in the contrastive loss, and no contrastive gradient into the predicted
graph; each variant config trains."""
import glob
import os.path as osp

import pytest
import torch
from mmpretrain.structures import DataSample

from mlic import register_all_modules
from mlic.models.losses import cooccurrence_contrastive_loss
from mlic.registry import MODELS
from ..test_tools.helpers import REPO_ROOT, loader_options, run_tool

register_all_modules()


def test_normalized_loss_is_the_raw_loss_of_unit_rows():
    torch.manual_seed(0)
    anchor, positive, negative = (torch.randn(3, 6, 8) for _ in range(3))
    targets = (torch.rand(3, 6) < 0.5).float()
    targets[:, 0] = 1

    def unit(t):
        return t / t.norm(dim=-1, keepdim=True)

    expected = cooccurrence_contrastive_loss(
        unit(anchor), unit(positive), unit(negative), targets, tau=0.1)
    got = cooccurrence_contrastive_loss(
        anchor, positive, negative, targets, tau=0.1, normalize=True)
    assert got.item() == pytest.approx(expected.item(), rel=1e-5)
    assert got.item() != pytest.approx(
        cooccurrence_contrastive_loss(
            anchor, positive, negative, targets, tau=0.1).item(),
        rel=1e-2)
    module = MODELS.build(
        dict(type='CooccurrenceContrastiveLoss', tau=0.1, normalize=True))
    assert module(anchor, positive, negative,
                  targets).item() == pytest.approx(got.item())


def head(**kw):
    torch.manual_seed(1)
    return MODELS.build(
        dict(
            type='MLICHead',
            num_classes=6,
            in_channels=16,
            transformer=dict(
                type='LabelQueryTransformer', ffn_dim=32, dropout=0.0),
            **kw))


def grads(module, loss):
    module.zero_grad()
    loss.backward(retain_graph=True)
    return {
        n: p.grad.clone() if p.grad is not None else torch.zeros_like(p)
        for n, p in module.named_parameters()
    }


@pytest.mark.parametrize('graph_grad', [True, False])
def test_graph_stopgrad_keeps_the_contrastive_loss_off_the_graph(graph_grad):
    model = head(contrastive_graph_grad=graph_grad)
    feats = (torch.randn(4, 16, 3, 3), )
    samples = [
        DataSample().set_gt_label(lab)
        for lab in ([0, 1, 2], [3, 4], [1, 5], [0, 2, 4])
    ]
    losses = model.loss(feats, samples)
    ctr = grads(model, losses['loss_contrastive'])
    cls = grads(model, losses['loss'])
    predictor = [n for n in ctr if n.startswith('cooccurrence.')]
    encoder = [n for n in ctr if n.startswith('graph_encoder.')]
    assert predictor and encoder
    reaches_graph = any(ctr[n].abs().sum() > 0 for n in predictor)
    assert reaches_graph == graph_grad
    # the graph still learns from classification, the encoder from both
    assert any(cls[n].abs().sum() > 0 for n in predictor)
    assert any(ctr[n].abs().sum() > 0 for n in encoder)
    if not graph_grad:
        # same function: the classification loss equals the paper head's
        reference = head(contrastive_graph_grad=True)
        reference.load_state_dict(model.state_dict())
        ref_losses = reference.loss(feats, samples)
        assert losses['loss'].item() == pytest.approx(
            ref_losses['loss'].item(), rel=1e-6)
        assert losses['loss_contrastive'].item() == pytest.approx(
            ref_losses['loss_contrastive'].item(), rel=1e-5)


VARIANTS = sorted(
    glob.glob(osp.join(REPO_ROOT, 'configs', 'mlic', 'variants', '*.py')))


def test_there_are_at_least_two_variants():
    assert len(VARIANTS) >= 2


def train_briefly(config, tmp_path):
    """Ten iterations of ``config`` on 48 tiny MultiGlyphs scenes; returns
    the training log text."""
    opts = loader_options(
        str(tmp_path / 'mg'), num_train=48, num_test=8, batch=4, epochs=1)
    # one epoch of 10 iterations (OneCycle needs a few to have phases)
    opts += [
        'train_dataloader.dataset.num_val=8',
        'val_dataloader.dataset.num_val=8', 'param_scheduler.0.end=1',
        'param_scheduler.1.end=1', 'train_cfg.val_interval=1',
        'model.backbone.init_cfg.checkpoint=' +
        osp.join(REPO_ROOT, 'checkpoints', 'resnet18-narrow_singleglyphs.pth')
    ]
    code, text = run_tool([
        osp.join(REPO_ROOT, 'tools', 'train.py'), config, '--work-dir',
        str(tmp_path / 'run'), '--cfg-options'
    ] + opts)
    assert code == 0, text[-3000:]
    return text


@pytest.mark.parametrize('config', VARIANTS, ids=osp.basename)
def test_variant_config_trains(config, tmp_path):
    text = train_briefly(config, tmp_path)
    assert 'loss_contrastive: ' in text and 'graph/present_present' in text


def test_fixed_graph_logs_an_undefined_correlation(tmp_path):
    """The fixed uniform graph is constant: its correlation with the
    labels' P(j | i) is logged as nan (undefined), not as 0."""
    text = train_briefly(
        osp.join(REPO_ROOT, 'configs', 'mlic', 'ablations',
                 'mlic_uniform-graph_singleglyphs-pre_multiglyphs-val.py'),
        tmp_path)
    assert 'graph/present_present: 0.5000' in text
    assert 'graph/corr_with_data: nan' in text
