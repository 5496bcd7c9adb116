# csra_multiglyphs-val.py with the backbone pretrained on SingleGlyphs
# (configs/pretrain/resnet18-narrow_singleglyphs.py): the paper's regime, a
# backbone whose features are good from the first step.
_base_ = ['./csra_multiglyphs-val.py']

model = dict(
    backbone=dict(
        init_cfg=dict(
            _delete_=True,
            type='Pretrained',
            checkpoint='checkpoints/resnet18-narrow_singleglyphs.pth')))
