import os.path as osp

import pytest
import torch

from mlic.apis import init_model
from mlic.visualization.label_maps import (CLASS_ACTIVATION, QUERY_ATTENTION,
                                           label_maps, predicted_cooccurrence)

CONFIGS = {
    'mlic': 'configs/mlic/mlic_multiglyphs.py',
    'q2l': 'configs/query2label/q2l_multiglyphs.py',
    'baseline': 'configs/baseline/resnet18_gap_linear_multiglyphs.py',
    'csra': 'configs/csra/csra_multiglyphs.py',
    'mlgcn': 'configs/ml_gcn/mlgcn_multiglyphs.py',
    'no_gnn': 'configs/mlic/ablations/mlic_no-gnn_multiglyphs.py',
}


@pytest.fixture(scope='module')
def models(repo_root):
    torch.manual_seed(0)
    return {
        key: init_model(osp.join(repo_root, path)).eval()
        for key, path in CONFIGS.items()
    }


@pytest.fixture(scope='module')
def inputs():
    return torch.randn(
        2, 3, 64, 64, generator=torch.Generator().manual_seed(1))


@pytest.mark.parametrize('key', ['mlic', 'q2l', 'no_gnn'])
def test_query_attention_is_a_distribution_per_label(models, inputs, key):
    model = models[key]
    attn = model.head.transformer.transformer.decoder.layers[-1].multihead_attn
    out = label_maps(model, inputs)
    assert out['kind'] == QUERY_ATTENTION
    assert out['maps'].shape == (2, 30, 4, 4)  # 64 px at stride 16
    sums = out['maps'].sum((-1, -2))
    assert torch.allclose(sums, torch.ones_like(sums), atol=1e-5)
    assert out['maps'].std() > 0
    with torch.no_grad():
        expected = model(inputs, mode='tensor').sigmoid()
    assert torch.allclose(out['scores'], expected, atol=1e-6)
    # the hooks are gone: the model is as it was
    assert not attn._forward_hooks and not attn._forward_pre_hooks


@pytest.mark.parametrize('key', ['baseline', 'mlgcn'])
def test_class_activation_maps_average_to_the_logits(models, inputs, key):
    model = models[key]
    out = label_maps(model, inputs)
    assert out['kind'] == CLASS_ACTIVATION
    with torch.no_grad():
        logits = model(inputs, mode='tensor')
    assert torch.allclose(out['maps'].mean((-1, -2)), logits, atol=1e-5)
    assert torch.allclose(out['scores'], logits.sigmoid(), atol=1e-6)


def test_csra_maps_are_its_class_score_maps(models, inputs):
    model = models['csra']
    out = label_maps(model, inputs)
    assert out['kind'] == CLASS_ACTIVATION
    fmap = model.backbone(inputs)[-1]
    # CSRA's logit is the mean of its score maps plus lam * attention
    # pooling of the same maps: the base part must be their mean.
    base = sum(
        m.head(fmap).flatten(2).mean(-1) / m.head.weight.flatten(1).norm(dim=1)
        for m in model.head.csra_heads)
    assert torch.allclose(out['maps'].mean((-1, -2)), base, atol=1e-5)


def test_predicted_cooccurrence_per_head(models, inputs):
    graph = predicted_cooccurrence(models['mlic'], inputs)
    with torch.no_grad():
        expected = models['mlic'].head.forward_features(
            models['mlic'].backbone(inputs))['adjacency']
    assert graph.shape == (2, 30, 30)
    assert torch.equal(graph, expected)
    fixed = predicted_cooccurrence(models['mlgcn'], inputs)
    assert torch.equal(fixed[1], models['mlgcn'].head.adjacency)
    for key in ('q2l', 'baseline', 'csra', 'no_gnn'):
        assert predicted_cooccurrence(models[key], inputs) is None, key


class _PoolLinear(torch.nn.Module):
    """A head of one's own: max pooling, then ``fc`` (the extending.md
    head's shape)."""

    def __init__(self, channels, classes=30):
        super().__init__()
        self.fc = torch.nn.Linear(channels, classes)

    def forward(self, feats):
        return self.fc(feats[-1].amax(dim=(2, 3)))


class _OwnMaps(_PoolLinear):
    """The same head with its own ``label_maps``: it is used as given."""

    def label_maps(self, feats):
        maps = torch.full((feats[-1].size(0), 30, 4, 4), 0.5)
        return dict(logits=self(feats), maps=maps, kind='my maps')


class _NoClassifier(torch.nn.Module):

    def forward(self, feats):
        return feats[-1].mean((1, 2, 3))[:, None].expand(-1, 30)


def test_heads_of_ones_own_maps_from_fc_their_method_or_a_message(
        repo_root, inputs):
    from mlic.utils.errors import ConfigError
    torch.manual_seed(0)
    model = init_model(osp.join(repo_root, CONFIGS['mlic'])).eval()
    channels = model.backbone(inputs)[-1].size(1)
    model.head = _PoolLinear(channels).eval()
    out = label_maps(model, inputs)
    assert out['kind'] == CLASS_ACTIVATION
    with torch.no_grad():
        feats = model.backbone(inputs)
        expected = torch.einsum('cd,bdhw->bchw', model.head.fc.weight,
                                feats[-1])
        expected = expected + model.head.fc.bias[None, :, None, None]
        logits = model.head(feats)
    assert torch.allclose(out['maps'], expected, atol=1e-5)
    assert torch.allclose(out['scores'], logits.sigmoid(), atol=1e-6)

    model.head = _OwnMaps(channels).eval()
    out = label_maps(model, inputs)
    assert out['kind'] == 'my maps' and float(out['maps'].mean()) == 0.5

    model.head = _NoClassifier()
    with pytest.raises(
            ConfigError,
            match=r'_NoClassifier cannot show where its labels look: give '
            r'it a label_maps\(feats\) method'):
        label_maps(model, inputs)
