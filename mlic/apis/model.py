"""Building a model for inference: from a config, a ``Config`` or a
model-zoo name, with a checkpoint from a file or a URL."""
import os.path as osp
from typing import List, Optional, Sequence, Union

import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import DefaultScope

from mlic.datasets.utils import declared_metainfo
from mlic.registry import MODELS, TRANSFORMS
from mlic.setup_env import register_all_modules
from mlic.utils import check_checkpoint_fits, safe_torch_load
from mlic.utils.download import download_checkpoint
from .model_zoo import resolve_weights, zoo_entry


def _strip_pretrained(cfg_node):
    """Drop every ``init_cfg`` so building never fetches backbone weights."""
    if isinstance(cfg_node, dict):
        cfg_node.pop('init_cfg', None)
        for value in cfg_node.values():
            _strip_pretrained(value)
    elif isinstance(cfg_node, list):
        for value in cfg_node:
            _strip_pretrained(value)


def _config_classes(cfg: Config) -> Optional[List[str]]:
    """Label names the config's test dataset declares without reading
    data (:func:`~mlic.datasets.utils.declared_metainfo`)."""
    dataset = cfg.get('test_dataloader', {}).get('dataset', {})
    return declared_metainfo(dataset).get('classes')


def init_model(config_or_name: Union[str, Config],
               checkpoint: Optional[str] = None,
               device: str = 'cpu',
               checkpoint_sha256: Optional[str] = None):
    """Build a model for inference from a config file, a ``Config`` or a
    model-zoo name, and load a checkpoint (local path or URL).

    Backbone weights named in the config (``init_cfg``) are never
    downloaded: they are dropped, the checkpoint supplies the weights. URL
    checkpoints are downloaded once into the cache and verified; every file
    is loaded with ``weights_only=True`` and mlic's allow-list.

    Returns:
        nn.Module: The model in eval mode, with ``model.cfg`` and
        ``model.dataset_meta['classes']`` set.
    """
    register_all_modules(init_default_scope=False)
    if isinstance(config_or_name, Config):
        cfg = config_or_name.copy()
    elif osp.isfile(config_or_name):
        cfg = Config.fromfile(config_or_name)
    else:
        cfg = Config.fromfile(zoo_entry(config_or_name)['Config'])
    model_cfg = cfg.model.to_dict() if hasattr(cfg.model, 'to_dict') else \
        dict(cfg.model)
    _strip_pretrained(model_cfg)
    with DefaultScope.overwrite_default_scope(
            cfg.get('default_scope', 'mlic')):
        model = MODELS.build(model_cfg)
    classes = _config_classes(cfg)
    if checkpoint is not None:
        path = checkpoint
        if checkpoint.startswith(('http://', 'https://')):
            path = download_checkpoint(checkpoint, sha256=checkpoint_sha256)
        ckpt = safe_torch_load(path, map_location='cpu')
        state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) \
            else ckpt
        check_checkpoint_fits(model, state, checkpoint)
        model.load_state_dict(state, strict=True)
        meta = ckpt.get('meta', {}) if isinstance(ckpt, dict) else {}
        saved = (meta.get('dataset_meta') or {}).get('classes')
        if saved is not None:
            classes = [str(c) for c in saved]
    num_classes = getattr(model, 'num_classes', None)
    if classes is None or (num_classes and len(classes) != num_classes):
        classes = [str(i) for i in range(num_classes or 0)]
    model.cfg = cfg
    model.dataset_meta = dict(classes=classes)
    return model.to(device).eval()


def build_test_pipeline(cfg: Config, from_array: bool = False) -> Compose:
    """The config's test pipeline; for images already in memory
    (``from_array``) without its loading step."""
    steps = list(cfg.test_dataloader.dataset.pipeline)
    if from_array and 'LoadImage' in steps[0]['type']:
        steps = steps[1:]
    return Compose([TRANSFORMS.build(step) for step in steps])


@torch.no_grad()
def preprocess_images(model, image_paths: Sequence[str]) -> dict:
    """Image files through the config's test pipeline and the model's data
    preprocessor, as :func:`inference_model` feeds them.

    Returns:
        dict: ``inputs`` (B, 3, H, W) on the model's device and
        ``data_samples``.
    """
    pipeline = build_test_pipeline(model.cfg)
    for path in image_paths:
        if not osp.isfile(path):
            raise FileNotFoundError(f'image not found: {path}')
    packed = [pipeline(dict(img_path=path)) for path in image_paths]
    return model.data_preprocessor(pseudo_collate(packed), False)


def get_model(name: str, pretrained: bool = True, device: str = 'cpu'):
    """Build a zoo model by name, with its published weights.

    Args:
        name (str): A name from :func:`list_models`.
        pretrained (bool): Load the published weights (downloaded once into
            the cache, verified by sha256). Defaults to True.
        device (str): Defaults to ``'cpu'``.
    """
    config, checkpoint, sha256 = resolve_weights(name, bool(pretrained))
    return init_model(
        config, checkpoint, device=device, checkpoint_sha256=sha256)
