# MLIC on MS-COCO 2014 at 448 px with a ViT-B/16 backbone (mmpretrain's
# VisionTransformer; patch tokens, class token dropped: 28 x 28 tokens of
# width 768; the position embedding is resized from the 384 px weights).
_base_ = ['./mlic_coco.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='VisionTransformer',
        arch='base',
        img_size=448,
        patch_size=16,
        out_type='featmap',
        drop_path_rate=0.1,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmclassification/v0/'
            'vit/finetune/vit-base-p16_in21k-pre-3rdparty_ft-64xb64_in1k-384_'
            '20210928-98e8652b.pth',
            prefix='backbone')))
