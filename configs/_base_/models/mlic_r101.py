# MLIC (docs/method.md §1) on a ResNet-101, ImageNet-pretrained torchvision
# weights (fetched only when a user trains).
model = dict(
    type='MLICClassifier',
    data_preprocessor=dict(
        type='ClsDataPreprocessor',
        num_classes=80,
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True,
        to_onehot=True),
    backbone=dict(
        type='ResNet',
        depth=101,
        num_stages=4,
        out_indices=(3, ),
        style='pytorch',
        init_cfg=dict(type='Pretrained',
                      checkpoint='torchvision://resnet101')),
    head=dict(
        type='MLICHead',
        num_classes=80,
        # in_channels (D) is read from the backbone.
        # The four parts are sub-configs: an ablation swaps or removes one
        # (see configs/mlic/ablations/).
        transformer=dict(
            type='LabelQueryTransformer',
            num_encoder_layers=2,
            num_decoder_layers=1,
            num_heads=8,
            ffn_dim=2048,
            dropout=0.1),
        cooccurrence=dict(type='CooccurrencePredictor'),
        graph_encoder=dict(type='GatedGraphEncoder', num_steps=1),
        classifier=dict(type='ElementwiseLinear'),
        loss=dict(
            type='ReferenceAsymmetricLoss', gamma_neg=2.0, gamma_pos=0.0),
        contrastive_loss=dict(
            type='CooccurrenceContrastiveLoss', tau=1.0, loss_weight=1.0)),
)
