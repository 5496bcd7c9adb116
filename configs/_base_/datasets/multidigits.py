# MultiDigits: 64 px scenes of 1-4 real handwritten digits, generated on first
# use under data/multidigits (no download). No flip: mirrored digits are not
# digits.
dataset_type = 'MultiDigits'
data_root = 'data/multidigits'
# The generated scenes are image_size x image_size (the datasets' default).
image_size = 64

train_pipeline = [
    # No resize step, so refuse an image far larger than the generated
    # scenes before it reaches the model (raise it with image_size > 256).
    dict(type='CheckedLoadImageFromFile', max_pixels=256 * 256),
    # gt_label_unknown: a partially labelled training set's unknown
    # labels (docs/partial_labels.md); absent with full labels.
    dict(type='PackInputs', algorithm_keys=('gt_label_unknown', )),
]
# Any input (a photo, an upscaled scene) is brought to the training size;
# on the generated test scenes, already that size, the resize changes no
# pixel, so the metrics are those of the pipeline without it.
test_pipeline = [
    dict(type='CheckedLoadImageFromFile'),
    dict(type='Resize', scale=(image_size, image_size)),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=64,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=128,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='test',
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader

# The reference's metrics: VOC 2012 mAP, CP/CR/CF1/OP/OR/OF1 at 0.5 and over
# each image's top 3 (ignore.npy / gt_label_difficult respected).
val_evaluator = dict(type='ReferenceMultiLabelMetric', threshold=0.5, topk=3)
test_evaluator = dict(
    type='ReferenceMultiLabelMetric', threshold=0.5, topk=3, classwise=True)
