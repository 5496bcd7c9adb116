"""What several model tests build: a small MLIC classifier and samples."""
from mmpretrain.structures import DataSample


def small_mlic_cfg(**head):
    """An MLICClassifier config with 5 labels, a ResNet-18 of 8 base
    channels (64-wide features) and T = 2; ``head`` overrides head keys."""
    head_cfg = dict(
        type='MLICHead',
        num_classes=5,
        transformer=dict(type='LabelQueryTransformer', ffn_dim=64),
        graph_encoder=dict(type='GatedGraphEncoder', num_steps=2),
        loss=dict(type='ReferenceAsymmetricLoss', gamma_neg=2.0),
        contrastive_loss=dict(type='CooccurrenceContrastiveLoss', tau=1.0))
    head_cfg.update(head)
    return dict(
        type='MLICClassifier',
        data_preprocessor=dict(
            type='ClsDataPreprocessor', num_classes=5, to_onehot=True),
        backbone=dict(
            type='ResNet', depth=18, base_channels=8, out_indices=(3, )),
        head=head_cfg)


def samples(labels):
    """DataSamples with these label indices, one list per image."""
    return [DataSample().set_gt_label(lab) for lab in labels]
