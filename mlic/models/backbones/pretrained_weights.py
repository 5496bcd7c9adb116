import re
import warnings
from typing import Optional

#: torchvision's ImageNet ResNets, by depth.
TORCHVISION_RESNET = re.compile(r'^torchvision://resnet(\d+)$')


def align_pretrained_depth(model_cfg) -> Optional[str]:
    """Keep a ResNet backbone's torchvision weights in step with its depth.

    A config's ``init_cfg`` names its weights apart from ``depth``, so
    ``--cfg-options model.backbone.depth=50`` on a ResNet-101 config would
    still load ResNet-101 weights (and fail on the first mismatching shape,
    after the model is built). When the backbone is mmpretrain's ``ResNet``
    and its ``init_cfg`` loads ``torchvision://resnet<N>`` with N != depth,
    the checkpoint becomes ``torchvision://resnet<depth>``, with a warning.

    Args:
        model_cfg (dict): The config's ``model``; changed in place.

    Returns:
        str | None: The new checkpoint name when it changed.

    Raises:
        ValueError: the depth has no torchvision weights (not 18, 34, 50,
            101 or 152), naming the ``init_cfg`` to change.
    """
    backbone = (model_cfg or {}).get('backbone') or {}
    init_cfg = backbone.get('init_cfg')
    if backbone.get('type') != 'ResNet' or not isinstance(init_cfg, dict):
        return None
    match = TORCHVISION_RESNET.match(str(init_cfg.get('checkpoint', '')))
    depth = backbone.get('depth')
    if match is None or depth is None or int(match.group(1)) == depth:
        return None
    if depth not in (18, 34, 50, 101, 152):
        raise ValueError(
            f'model.backbone.depth={depth} has no torchvision ImageNet '
            f'weights, but model.backbone.init_cfg loads '
            f'{init_cfg["checkpoint"]}; set model.backbone.init_cfg=None '
            'or point init_cfg.checkpoint at weights of that depth')
    new = f'torchvision://resnet{depth}'
    warnings.warn(f'model.backbone.depth={depth}: loading {new} instead of '
                  f'{init_cfg["checkpoint"]} (model.backbone.init_cfg)')
    init_cfg['checkpoint'] = new
    return new
