# MLIC on PASCAL VOC 2007 (configs/mlic/mlic_voc2007.py) reading the
# reference's list files instead of the raw layout: train.txt, test.txt,
# label.txt and ignore.npy under data/voc2007
# (tools/dataset_converters/raw_to_list.py writes them; image paths are
# relative to that folder, or absolute). Same model, pipeline and schedule;
# use it as is or as a _base_.
_base_ = ['./mlic_voc2007.py']

list_root = 'data/voc2007'
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='LabelListDataset',
        data_root=list_root,
        ann_file='train.txt',
        label_file='label.txt',
        pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='LabelListDataset',
        data_root=list_root,
        ann_file='test.txt',
        label_file='label.txt',
        ignore_file='ignore.npy',  # VOC's difficult labels
        test_mode=True,
        pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader
