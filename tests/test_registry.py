"""mlic's registries: an unknown type names the type and the registry;
mmpretrain's and mmengine's types build through them."""
import pytest

from mlic.registry import MODELS


def test_unknown_type_names_type_and_registry():
    cfg = dict(
        type='MLICClassifier',
        backbone=dict(type='ResNet', depth=18, out_indices=(3, )),
        head=dict(type='NoSuchHead', num_classes=5))
    with pytest.raises(KeyError, match='NoSuchHead.*mlic::model'):
        MODELS.build(cfg)


def test_registries_fall_back_to_mmpretrain_and_mmengine():
    from mmpretrain.models import ResNet

    from mlic.registry import HOOKS
    backbone = MODELS.build(dict(type='ResNet', depth=18))
    assert type(backbone) is ResNet  # mmpretrain's, through mlic's scope
    assert type(HOOKS.build(dict(type='EMAHook'))).__name__ == 'EMAHook'
