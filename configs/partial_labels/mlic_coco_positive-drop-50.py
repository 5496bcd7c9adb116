# MLIC on MS-COCO 2014 with missing positives: each training positive is
# removed with probability 0.5 and becomes a negative (the missing-label
# setting of Zhang et al., "Simple and Robust Loss Design for Multi-Label
# Learning with Missing Labels", 2021), so the training labels hold false
# negatives and no unknown label; the loss is the full-label recipe's. With
# unannotated='unknown' instead, only the kept positives are known: then use
# an AN-based loss (see mlic_coco_single-positive.py).
_base_ = ['../mlic/mlic_coco.py']

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='PartialLabelDataset',
        dataset={{_base_.train_dataloader.dataset}},
        protocol='positive_drop',
        drop_rate=0.5,
        unannotated='negative',
        seed=0,
        record_file='work_dirs/mlic_coco_positive-drop-50/train_labels.txt'))
