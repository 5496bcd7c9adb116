# MLIC on MS-COCO 2014 at 448 px with timm's TResNet-L (the MLIC reference's
# TResNet backbone family). Needs the optional dependency timm
# (pip install timm); timm loads its own ImageNet weights when training.
_base_ = ['./mlic_coco.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='TimmTokenBackbone',
        model_name='tresnet_l',
        pretrained=True))
