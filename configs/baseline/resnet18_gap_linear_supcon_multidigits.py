# The GAP + linear baseline with the multi-label supervised contrastive loss
# (MultiLabelSupConLoss) on pooled backbone features beside the
# classification loss.
_base_ = ['./resnet18_gap_linear_multidigits.py']

model = dict(
    type='MLICClassifier',
    embedding_loss=dict(type='MultiLabelSupConLoss', tau=0.1, loss_weight=1.0),
    embedding_dims=128)
