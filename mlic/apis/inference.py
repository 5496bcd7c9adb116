import os.path as osp
from typing import List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import DefaultScope

from mlic.evaluation.functional import load_thresholds
from mlic.evaluation.functional.thresholds import MAX_THRESHOLD
from mlic.registry import DATASETS, MODELS, TRANSFORMS
from mlic.utils import (check_checkpoint_fits, register_all_modules,
                        safe_torch_load)
from mlic.utils.download import download_checkpoint
from .model_zoo import weights_url, zoo_entry

ImageInput = Union[str, np.ndarray]


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
    """Label names from the config's test dataset type, when it has them
    without reading data (``METAINFO`` or a MultiDigits-like default)."""
    dataset = cfg.get('test_dataloader', {}).get('dataset', {})
    try:
        dataset_cls = DATASETS.get(dataset.get('type'))
    except Exception:  # an unregistered custom type: no names
        return None
    meta = getattr(dataset_cls, 'METAINFO', {}) or {}
    if 'classes' in meta:
        return [str(c) for c in meta['classes']]
    if getattr(dataset_cls, '__name__', '') == 'MultiDigits':
        return [str(d) for d in range(10)]
    return None


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


def per_label_thresholds(threshold, classes: List[str]) -> np.ndarray:
    """(C,) float32 thresholds from one number, C numbers or a per-label
    thresholds JSON file (the one ``eval_metric.py --search-thresholds``
    writes)."""
    if isinstance(threshold, str):
        return load_thresholds(threshold, classes)
    threshold = np.asarray(threshold, dtype=np.float32)
    if threshold.ndim and threshold.shape != (len(classes), ):
        raise ValueError(f'per-label thresholds must have shape '
                         f'({len(classes)},), got {threshold.shape}')
    if not (np.isfinite(threshold).all() and (threshold >= 0).all() and
            (threshold <= MAX_THRESHOLD).all()):
        raise ValueError(f'thresholds are scores in [0, 1], got '
                         f'{threshold.tolist()}')
    return np.broadcast_to(threshold, (len(classes), ))


@torch.no_grad()
def inference_model(model,
                    images: Union[ImageInput, Sequence[ImageInput]],
                    threshold: Union[float, np.ndarray, str] = 0.5,
                    batch_size: int = 16) -> Union[dict, List[dict]]:
    """Predict the labels of one image or a list of images.

    Args:
        model: From :func:`init_model` or :func:`get_model`.
        images: A path, a BGR ``ndarray`` (H, W, 3) uint8, or a list of them.
        threshold (float | ndarray | str): A score threshold, one per label
            (C,), or the JSON file written by
            ``tools/analysis_tools/eval_metric.py --search-thresholds``.
        batch_size (int): Images per forward pass.

    Returns:
        dict | list[dict]: Per image ``pred_label`` (label indices above the
        threshold, highest score first), ``pred_class`` (their names),
        ``pred_scores`` (their scores) and ``pred_score`` (all C scores,
        ndarray). A list when ``images`` is a list.
    """
    single = isinstance(images, (str, np.ndarray))
    batch = [images] if single else list(images)
    classes = model.dataset_meta['classes']
    thresholds = per_label_thresholds(threshold, classes)
    # Built once per call: from arrays the loading step is skipped.
    pipelines = {
        from_array: build_test_pipeline(model.cfg, from_array)
        for from_array in (True, False)
    }
    outputs = []
    for start in range(0, len(batch), batch_size):
        chunk = batch[start:start + batch_size]
        packed = []
        for item in chunk:
            if isinstance(item, np.ndarray):
                if item.ndim != 3 or item.shape[2] != 3:
                    raise ValueError('an image array must be (H, W, 3) BGR, '
                                     f'got shape {item.shape}')
                packed.append(pipelines[True](dict(
                    img=item,
                    img_shape=item.shape[:2],
                    ori_shape=item.shape[:2])))
            else:
                if not osp.isfile(item):
                    raise FileNotFoundError(f'image not found: {item}')
                packed.append(pipelines[False](dict(img_path=item)))
        data = model.data_preprocessor(pseudo_collate(packed), False)
        scores = torch.sigmoid(model(data['inputs'], mode='tensor'))
        for row in scores.float().cpu().numpy():
            above = np.flatnonzero(row >= thresholds)
            above = above[np.argsort(-row[above], kind='stable')]
            outputs.append(
                dict(
                    pred_label=above.tolist(),
                    pred_class=[classes[i] for i in above],
                    pred_scores=row[above].tolist(),
                    pred_score=row))
    return outputs[0] if single else outputs


def get_model(name: str, pretrained: bool = True, device: str = 'cpu'):
    """Build a zoo model by name, with its published weights.

    Args:
        name (str): A name from :func:`list_models`.
        pretrained (bool): Load the published weights (downloaded once into
            the cache, verified by sha256). Defaults to True.
        device (str): Defaults to ``'cpu'``.
    """
    entry = zoo_entry(name)
    checkpoint = None
    if pretrained:
        checkpoint = weights_url(entry)
        if checkpoint is None:
            raise ValueError(
                f'{name} has no published weights yet; train it with '
                f'tools/train.py {osp.relpath(entry["Config"])} and use '
                'init_model(config, checkpoint), or get_model(name, '
                'pretrained=False) for random weights')
    return init_model(
        entry['Config'],
        checkpoint,
        device=device,
        checkpoint_sha256=entry.get('Metadata', {}).get('Weights SHA256'))
