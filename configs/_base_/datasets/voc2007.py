# PASCAL VOC 2007 read from its own layout under data_root (VOC2007), the
# reference's training pipeline and metric of coco.py at 448 px; total batch
# 32 (8 per GPU on 4 GPUs). Difficult-only labels of a test image are ignored
# in evaluation (gt_label_difficult). The reference's list format: the
# dataloaders of configs/mlic/mlic_voc2007_list.py.
_base_ = ['./coco.py']

dataset_type = 'VOC2007'
data_root = 'data/VOC2007'

train_dataloader = dict(
    batch_size=8,
    dataset=dict(type=dataset_type, data_root=data_root, split='trainval'))
val_dataloader = dict(
    batch_size=8,
    dataset=dict(type=dataset_type, data_root=data_root, split='test'))
test_dataloader = val_dataloader
