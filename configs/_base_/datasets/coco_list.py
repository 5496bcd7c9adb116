# MS-COCO 2014: the reference's list files (train.txt, test.txt,
# label.txt) read by LabelListDataset, with the pipeline,
# batch size and metric of coco.py. Use it in place of coco.py
# when you have the reference's lists or your own data in that form
# (tools/dataset_converters/raw_to_list.py writes them).
_base_ = ['./coco.py']

list_root = 'data/coco'
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
        test_mode=True,
        pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader
