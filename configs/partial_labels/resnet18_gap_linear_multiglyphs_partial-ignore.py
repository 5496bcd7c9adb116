# The MultiGlyphs baseline
# (configs/baseline/resnet18_gap_linear_multiglyphs.py) trained on partial
# labels (docs/partial_labels.md): a seeded protocol hides training labels,
# unknown labels are left out of the loss ("ignore").
# Another protocol or proportion from the command line, e.g.
#   --cfg-options train_dataloader.dataset.known_proportion=0.5
#   --cfg-options train_dataloader.dataset.protocol=single_positive
# Evaluation uses the full test labels.
_base_ = ['../baseline/resnet18_gap_linear_multiglyphs.py']

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='PartialLabelDataset',
        dataset={{_base_.train_dataloader.dataset}},
        # Durand et al. (CVPR 2019): 10 % of each image's labels known
        protocol='known_proportion',
        known_proportion=0.1,
        seed=0))

# mlic's linear head: mmpretrain's MultiLabelLinearClsHead would read the
# unknown labels as negatives (UnknownLabelCheckHook refuses it).
model = dict(
    head=dict(
        type='LinearMultiLabelHead',
        loss=dict(
            type='ReferenceAsymmetricLoss',
            gamma_neg=2.0,
            unknown_labels='ignore')))
