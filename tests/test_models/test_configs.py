"""Every config under configs/ builds its model and runs it."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mlic.registry import MODELS

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# Every runnable config (the _base_ fragments are not models on their own).
CONFIGS = sorted(
    p for p in glob.glob(
        osp.join(REPO_ROOT, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in p)

# docs/method.md §3: C, image size, T, gamma_neg, pct_start, EMA decay.
RECIPES = {
    'mlic_coco.py': (80, 448, 1, 1.0, 0.4, 0.9997),
    'mlic_voc2007.py': (20, 448, 2, 0.0, 0.4, 0.9994),
    'mlic_nuswide.py': (81, 448, 4, 1.0, 0.4, 0.9997),
    'mlic_vg500.py': (500, 512, 2, 2.0, 0.2, 0.9997),
}


@pytest.mark.parametrize(
    'path', CONFIGS, ids=lambda p: osp.relpath(p, REPO_ROOT))
def test_config_builds_a_model_that_runs(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mlic'
    if cfg.model.backbone.type == 'TimmTokenBackbone':
        pytest.importorskip('timm', reason='optional dependency timm')
        cfg.model.backbone.pretrained = False
    cfg.model.backbone.init_cfg = None  # never download in tests
    model = MODELS.build(cfg.model).eval()
    num_classes = cfg.model.head.num_classes
    assert cfg.model.data_preprocessor.num_classes == num_classes
    with torch.no_grad():
        logits = model(torch.randn(1, 3, 64, 64), mode='tensor')
    assert logits.shape == (1, num_classes)


@pytest.mark.parametrize('name', sorted(RECIPES))
def test_benchmark_configs_carry_the_reference_recipe(name):
    C, size, steps, gamma_neg, pct, decay = RECIPES[name]
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', 'mlic', name))
    head = cfg.model.head
    assert (head.num_classes, head.graph_encoder.num_steps) == (C, steps)
    assert head.loss.gamma_neg == gamma_neg and head.loss.gamma_pos == 0
    assert head.contrastive_loss.tau == 1.0
    assert head.contrastive_loss.loss_weight == 1.0
    assert head.transformer.type == 'LabelQueryTransformer'
    assert (head.transformer.num_encoder_layers,
            head.transformer.num_decoder_layers, head.transformer.num_heads,
            head.transformer.ffn_dim) == (2, 1, 8, 2048)
    assert head.cooccurrence.type == 'CooccurrencePredictor'
    assert head.graph_encoder.type == 'GatedGraphEncoder'
    assert head.classifier.type == 'ElementwiseLinear'
    assert cfg.model.backbone.depth == 101
    assert cfg.img_size == size
    opt = cfg.optim_wrapper
    assert opt.type == 'AnyDeviceAmpOptimWrapper'
    assert (opt.optimizer.type, opt.optimizer.lr,
            opt.optimizer.weight_decay) == ('AdamW', 1e-4, 1e-4)
    lr, momentum = cfg.param_scheduler
    assert lr.type == 'OneCycleLR' and lr.pct_start == pct
    # no end: the cycle ends with the run (QuietRunner, run_length.py)
    assert lr.convert_to_iter_based and 'end' not in lr and 'end' not in \
        momentum
    assert momentum.type == 'OneCycleMomentum' and momentum.pct_start == pct
    ema = [h for h in cfg.custom_hooks if h.type == 'EMAHook']
    assert len(ema) == 1 and ema[0].update_buffers
    assert ema[0].momentum == pytest.approx(1 - decay)
    assert cfg.train_cfg.max_epochs == 80
    assert cfg.default_hooks.checkpoint.save_best == 'multi-label/mAP'
