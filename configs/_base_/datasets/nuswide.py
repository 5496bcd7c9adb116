# NUS-WIDE read from its own layout under data_root (NUS-WIDE), the
# reference's training pipeline and metric of coco.py at 448 px; total batch
# 128 (32 per GPU on 4 GPUs). The reference's list format: the dataloaders of
# configs/mlic/mlic_nuswide_list.py.
_base_ = ['./coco.py']

dataset_type = 'NUSWIDE'
data_root = 'data/NUS-WIDE'
# Many public copies miss some Flickr files; 'skip' leaves them out (and
# logs how many), which changes the split: numbers then no longer compare
# with the paper's.
missing_images = 'error'

train_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        missing_images=missing_images))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='test',
        missing_images=missing_images))
test_dataloader = val_dataloader
