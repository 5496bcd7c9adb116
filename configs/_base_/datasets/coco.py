# MS-COCO 2014 read from its own layout under data_root (MSCOCO), the
# reference's training pipeline (docs/method.md §3). 448 px, total batch 128
# (32 per GPU on 4 GPUs). The reference's list format: the dataloaders of
# configs/mlic/mlic_coco_list.py.
dataset_type = 'MSCOCO'
data_root = 'data/MSCOCO'
img_size = 448

train_pipeline = [
    dict(type='CheckedLoadImageFromFile'),
    dict(type='Resize', scale=(img_size, img_size)),  # aspect not kept
    # Seeded per (seed, epoch, image) by the sampler below, so a resumed run
    # draws the same augmentations as an uninterrupted one, whatever the
    # number of workers (docs/reliability.md).
    dict(
        type='SeededRandomTransforms',
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
    # gt_label_difficult: labels to leave out of an image's evaluation.
    dict(type='PackInputs', algorithm_keys=('gt_label_difficult', )),
]

train_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='PerSampleSeedSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='test',
        pipeline=test_pipeline))
test_dataloader = val_dataloader

# The reference's metrics: VOC 2012 mAP, CP/CR/CF1/OP/OR/OF1 at 0.5 and over
# each image's top 3 (difficult labels ignored).
val_evaluator = dict(type='ReferenceMultiLabelMetric', threshold=0.5, topk=3)
test_evaluator = dict(
    type='ReferenceMultiLabelMetric', threshold=0.5, topk=3, classwise=True)
