# Visual Genome VG-500 read from its own layout under data_root
# (VisualGenome), the reference's training pipeline and metric of coco.py at
# 512 px; total batch 128 (32 per GPU on 4 GPUs). The reference's list format:
# the dataloaders of configs/mlic/mlic_vg500_list.py.
_base_ = ['./coco.py']

dataset_type = 'VG500'
data_root = 'data/VisualGenome'
img_size = 512

train_pipeline = [
    dict(type='CheckedLoadImageFromFile'),
    dict(type='Resize', scale=(img_size, img_size)),  # aspect not kept
    dict(
        type='SeededRandomTransforms',  # see coco.py
        transforms=[
            dict(type='RandomFlip', prob=0.5, direction='horizontal'),
            dict(type='RandomColorCutout', scale=0.5),
            dict(type='ReferenceRandAugment', num_ops=2, prob=0.5),
        ]),
    # gt_label_unknown: a partially labelled training set's unknown
    # labels (docs/partial_labels.md); absent with full labels.
    dict(type='PackInputs', algorithm_keys=('gt_label_unknown', )),
]
test_pipeline = [
    dict(type='CheckedLoadImageFromFile'),
    dict(type='Resize', scale=(img_size, img_size)),
    dict(type='PackInputs', algorithm_keys=('gt_label_difficult', )),
]

train_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='test',
        pipeline=test_pipeline))
test_dataloader = val_dataloader
