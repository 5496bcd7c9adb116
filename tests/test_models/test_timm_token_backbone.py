"""MLIC on token backbones: mmpretrain's Swin, ViT and ConvNeXt, and
TimmTokenBackbone (skipped without timm)."""
import pytest
import torch

from mlic.registry import MODELS

BACKBONES = {
    'swin': (dict(
        type='SwinTransformer',
        arch='tiny',
        img_size=96,
        out_indices=(3, ),
        pad_small_map=True), 768),
    'vit': (dict(
        type='VisionTransformer',
        arch='deit-tiny',
        img_size=96,
        patch_size=16,
        out_type='featmap'), 192),
    'convnext': (dict(
        type='ConvNeXt',
        arch='atto',
        out_indices=(3, ),
        gap_before_final_norm=False), 320),
    'resnet': (dict(type='ResNet', depth=18, out_indices=(3, )), 512),
}


@pytest.mark.parametrize('name', sorted(BACKBONES))
def test_mlic_head_on_token_backbones(name):
    backbone, width = BACKBONES[name]
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='MLICClassifier',
            backbone=backbone,
            head=dict(
                type='MLICHead',
                num_classes=6,
                transformer=dict(
                    type='LabelQueryTransformer', num_heads=4, ffn_dim=64))))
    assert model.head.in_channels == width
    from mmpretrain.structures import DataSample
    x = torch.randn(2, 3, 96, 96)
    losses = model(
        x, [DataSample().set_gt_label([0, 5]),
            DataSample().set_gt_label([2])],
        mode='loss')
    (losses['loss'] + losses['loss_contrastive']).backward()
    first = next(model.backbone.parameters())
    assert first.grad is not None and first.grad.abs().sum() > 0
    assert torch.isfinite(first.grad).all()
    with torch.no_grad():
        logits = model.eval()(x, mode='tensor')
        preds = model(x, mode='predict')
    assert logits.shape == (2, 6) and torch.isfinite(logits).all()
    torch.testing.assert_close(
        torch.stack([p.pred_score for p in preds]), torch.sigmoid(logits))


def test_timm_backbone_says_how_to_install_timm():
    try:
        import timm  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match='pip install timm'):
            MODELS.build(
                dict(type='TimmTokenBackbone', model_name='tresnet_l'))
    else:
        backbone = MODELS.build(
            dict(type='TimmTokenBackbone', model_name='tresnet_m'))
        out = backbone(torch.randn(1, 3, 64, 64))[-1]
        assert out.shape[1] == backbone.feat_dim


def test_pooled_backbone_output_gets_a_clear_error():
    model = MODELS.build(
        dict(
            type='MLICClassifier',
            backbone=dict(type='ConvNeXt', arch='atto', out_indices=(3, )),
            head=dict(
                type='MLICHead',
                num_classes=3,
                transformer=dict(
                    type='LabelQueryTransformer', num_heads=4, ffn_dim=32))))
    with pytest.raises(ValueError, match='gap_before_final_norm=False'):
        model(torch.randn(1, 3, 64, 64), mode='tensor')
