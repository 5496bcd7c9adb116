"""The reference-checkpoint converter against an independent
re-implementation of docs/method.md §1 laid out like the released
checkpoints."""
import ast
import os.path as osp

import pytest
import torch
import torch.nn as nn
import torchvision

from mlic.apis import init_model
from mlic.utils import safe_torch_load
from ..test_tools.helpers import REPO_ROOT, run_tool

KEYS_FILE = osp.join(REPO_ROOT, 'tests', 'data',
                     'official_checkpoint_keys.txt')


class ResNetTrunk(nn.Module):
    """torchvision's ResNet without pooling and classifier, same names."""

    def __init__(self, depth):
        super().__init__()
        net = getattr(torchvision.models, f'resnet{depth}')(weights=None)
        for name in ('conv1', 'bn1', 'relu', 'maxpool', 'layer1', 'layer2',
                     'layer3', 'layer4'):
            setattr(self, name, getattr(net, name))

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        return self.layer4(self.layer3(self.layer2(self.layer1(x))))


class PerLabelLinear(nn.Module):

    def __init__(self, num_classes, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(num_classes, dim) * 0.02)
        self.bias = nn.Parameter(torch.randn(num_classes) * 0.02)


class ReferenceLayoutMLIC(nn.Module):
    """docs/method.md §1 written plainly, with the reference's module names."""

    def __init__(self, num_classes, depth=101, dim=2048, steps=1):
        super().__init__()
        self.backbone = ResNetTrunk(depth)
        self.query_embed = nn.Embedding(num_classes, dim)
        self.attention = nn.Transformer(
            d_model=dim,
            nhead=8,
            num_encoder_layers=2,
            num_decoder_layers=1,
            dim_feedforward=2048,
            dropout=0.1)
        self.net = nn.Linear(2 * dim, num_classes)
        self.encoder = nn.Module()
        for name in ('fc1_w', 'fc1_u', 'fc2_w', 'fc2_u', 'fc3_w', 'fc3_u'):
            setattr(self.encoder, name, nn.Linear(dim, dim, bias=False))
        self.fc = PerLabelLinear(num_classes, 2 * dim)
        self.steps = steps

    def forward(self, x):
        fmap = self.backbone(x)  # (B, D, h, w)
        tokens = fmap.flatten(2).permute(2, 0, 1)  # (N, B, D), seq first
        g = tokens.mean(0)  # (B, D)
        queries = self.query_embed.weight.unsqueeze(1).repeat(1, x.size(0), 1)
        F = self.attention(tokens, queries).permute(1, 0, 2)  # (B, C, D)
        A = torch.sigmoid(
            self.net(torch.cat([F, g.unsqueeze(1).expand_as(F)], -1)))
        e, h = self.encoder, F
        for _ in range(self.steps):
            m = torch.bmm(A, h)
            z = torch.sigmoid(e.fc1_w(m) + e.fc1_u(h))
            r = torch.sigmoid(e.fc2_w(m) + e.fc2_u(h))
            cand = torch.tanh(e.fc3_w(m) + e.fc3_u(r * h))
            h = (1 - z) * h + z * cand
        return (torch.cat([F, h], -1) * self.fc.weight).sum(-1) + self.fc.bias


def official_layout():
    layout = {}
    with open(KEYS_FILE) as f:
        for line in f:
            if line.strip() and not line.startswith('#'):
                name, shape = line.split(' ', 1)
                # literals like (80, 2048) or (): a tuple of ints, never code
                layout[name] = ast.literal_eval(shape.strip())
                assert isinstance(layout[name], tuple), line
    return layout


@pytest.fixture(scope='module')
def reference_coco(tmp_path_factory):
    torch.manual_seed(0)
    model = ReferenceLayoutMLIC(num_classes=80).eval()
    # Non-trivial BatchNorm statistics, as in a trained checkpoint.
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    state = {f'module.{k}': v for k, v in model.state_dict().items()}
    path = tmp_path_factory.mktemp('ref') / 'mlic_mscoco_ema.pth'
    torch.save(state, str(path))
    return model, state, path


def test_reference_layout_is_the_released_one(reference_coco):
    _, state, _ = reference_coco
    assert {k: tuple(v.shape) for k, v in state.items()} == official_layout()


def test_converted_model_reproduces_reference_logits(reference_coco, tmp_path):
    model, _, src = reference_coco
    dst = tmp_path / 'mlic_coco_converted.pth'
    code, out = run_tool(
        ['tools/model_converters/official2mlic.py',
         str(src),
         str(dst)])
    assert code == 0, out
    ckpt = safe_torch_load(str(dst))
    assert ckpt['meta']['dataset_meta']['classes'][:3] == [
        'person', 'bicycle', 'car'
    ]
    assert ckpt['meta']['config'] == 'configs/mlic/mlic_coco.py'

    converted = init_model(
        osp.join(REPO_ROOT, 'configs', 'mlic', 'mlic_coco.py'), str(dst))
    x = torch.randn(2, 3, 96, 96)
    with torch.no_grad():
        expected = model(x)
        got = converted(x, mode='tensor')
    rel = (got - expected).abs().max() / expected.abs().max()
    assert rel <= 1e-4, rel


def test_converter_names_unused_and_missing_keys(reference_coco, tmp_path):
    _, state, _ = reference_coco
    broken = dict(state)
    broken['module.extra.weight'] = torch.zeros(1)
    del broken['module.encoder.fc3_u.weight']
    src = tmp_path / 'broken.pth'
    torch.save(broken, str(src))
    code, out = run_tool([
        'tools/model_converters/official2mlic.py',
        str(src),
        str(tmp_path / 'out.pth')
    ])
    assert code != 0
    assert "source keys not used: ['extra.weight']" in out
    assert 'head.graph_encoder.candidate_state.weight' in out
    assert not (tmp_path / 'out.pth').exists()


@pytest.mark.parametrize('num_classes,dataset,steps,first', [
    (20, 'voc2007', 2, 'aeroplane'),
    (81, 'nuswide', 4, 'concept_0'),
    (500, 'vg500', 2, '0'),
])
def test_converter_other_datasets_and_keys_without_prefix(
        tmp_path, num_classes, dataset, steps, first):
    torch.manual_seed(1)
    model = ReferenceLayoutMLIC(
        num_classes=num_classes, depth=50, steps=steps).eval()
    src = tmp_path / 'ref.pth'
    torch.save(model.state_dict(), str(src))  # no 'module.' prefix
    dst = tmp_path / 'mlic.pth'
    args = ['tools/model_converters/official2mlic.py', str(src), str(dst)]
    if dataset == 'nuswide':
        names = tmp_path / 'Concepts81.txt'
        names.write_text(''.join(f'concept_{i}\n' for i in range(81)))
        code, out = run_tool(args)
        assert code != 0 and '--label-file' in out
        args += ['--label-file', str(names)]
    code, out = run_tool(args)
    assert code == 0, out
    assert 'model.backbone.depth=50' in out
    from mmengine.config import Config
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', 'mlic', f'mlic_{dataset}.py'))
    cfg.merge_from_dict({'model.backbone.depth': 50})
    assert cfg.model.head.graph_encoder.num_steps == steps
    converted = init_model(cfg, str(dst))
    assert converted.dataset_meta['classes'][0] == first
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        expected, got = model(x), converted(x, mode='tensor')
    assert (got - expected).abs().max() / expected.abs().max() <= 1e-4
