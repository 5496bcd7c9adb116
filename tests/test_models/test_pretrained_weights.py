"""align_pretrained_depth: a ResNet's torchvision weights follow its
depth; a depth without weights is named."""
import os.path as osp

import pytest
from mmengine.config import Config

from mlic.models.backbones import align_pretrained_depth
from ..test_tools.helpers import REPO_ROOT


def coco_model():
    return Config.fromfile(
        osp.join(REPO_ROOT, 'configs', 'mlic', 'mlic_coco.py')).model


def test_weights_follow_the_depth():
    model = coco_model()
    assert align_pretrained_depth(model) is None  # 101 with resnet101
    model.backbone.depth = 50
    with pytest.warns(
            UserWarning,
            match='loading torchvision://resnet50 '
            'instead of torchvision://resnet101'):
        assert align_pretrained_depth(model) == 'torchvision://resnet50'
    assert model.backbone.init_cfg.checkpoint == 'torchvision://resnet50'


def test_depth_without_weights_is_named_and_others_are_left_alone():
    model = coco_model()
    model.backbone.depth = 26
    with pytest.raises(
            ValueError, match=r'depth=26 has no torchvision.*'
            r'init_cfg'):
        align_pretrained_depth(model)
    swin = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', 'mlic', 'mlic_swin-b_coco.py')).model
    checkpoint = swin.backbone.init_cfg.checkpoint
    assert align_pretrained_depth(swin) is None
    assert swin.backbone.init_cfg.checkpoint == checkpoint
    no_weights = coco_model()
    no_weights.backbone.init_cfg = None
    no_weights.backbone.depth = 18
    assert align_pretrained_depth(no_weights) is None
