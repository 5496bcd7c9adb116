# PASCAL VOC 2007 in the MLIC reference's list format (train.txt / test.txt /
# label.txt, ignore.npy), read by LabelListDataset. 448 px, total batch 32
# (8 per GPU on 4 GPUs).
dataset_type = 'LabelListDataset'
data_root = 'data/voc2007'
img_size = 448

train_pipeline = [
    dict(type='CheckedLoadImageFromFile'),
    dict(type='Resize', scale=(img_size, img_size)),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='CheckedLoadImageFromFile'),
    dict(type='Resize', scale=(img_size, img_size)),
    # gt_label_difficult: labels to leave out of an image's evaluation.
    dict(type='PackInputs', algorithm_keys=('gt_label_difficult', )),
]

train_dataloader = dict(
    batch_size=8,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='train.txt',
        label_file='label.txt',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='test.txt',
        label_file='label.txt',
        ignore_file='ignore.npy',
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader

# The reference's metrics: VOC 2012 mAP, CP/CR/CF1/OP/OR/OF1 at 0.5 and over
# each image's top 3 (ignore.npy / gt_label_difficult respected).
val_evaluator = dict(type='ReferenceMultiLabelMetric', threshold=0.5, topk=3)
test_evaluator = dict(
    type='ReferenceMultiLabelMetric', threshold=0.5, topk=3, classwise=True)
