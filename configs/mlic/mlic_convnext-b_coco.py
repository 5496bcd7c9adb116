# MLIC on MS-COCO 2014 at 448 px with a ConvNeXt-B backbone (mmpretrain's
# ConvNeXt, ImageNet weights, 14 x 14 tokens of width 1024).
_base_ = ['./mlic_coco.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='ConvNeXt',
        arch='base',
        out_indices=(3, ),
        # MLIC needs the spatial map, not the pooled vector.
        gap_before_final_norm=False,
        drop_path_rate=0.5,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmclassification/v0/'
            'convnext/convnext-base_32xb128_in1k_20221207-fbdb5eb9.pth',
            prefix='backbone')))
