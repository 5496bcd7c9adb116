# MLIC on MS-COCO 2014 at 448 px with a Swin-B backbone (mmpretrain's
# SwinTransformer, ImageNet weights, 14 x 14 tokens of width 1024).
_base_ = ['./mlic_coco.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='SwinTransformer',
        arch='base',
        img_size=448,
        out_indices=(3, ),
        drop_path_rate=0.2,
        pad_small_map=True,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmclassification/v0/'
            'swin-transformer/convert/swin_base_patch4_window7_224-4670dd19'
            '.pth',
            prefix='backbone')))
