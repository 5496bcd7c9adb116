import glob
import os
import os.path as osp
import re
import sys
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from torch.utils.data import DataLoader, Dataset

from mlic.datasets.transforms import UnreadableImageError, image_from_array
from mlic.evaluation.functional import per_label_thresholds
from mlic.registry import TRANSFORMS
from .model import init_model
from .model_zoo import resolve_weights

#: Extensions a folder is searched for (lower case; the search ignores case).
IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp',
                    '.ppm', '.pgm')
InputType = Union[str, os.PathLike, np.ndarray]


def list_images(inputs: Union[InputType, Sequence[InputType]]) -> list:
    """Expand the inputs of :class:`MultiLabelInferencer` into single images.

    A folder becomes its image files (recursive, sorted, by
    ``IMAGE_EXTENSIONS``), a pattern with ``*``, ``?`` or ``[`` the sorted
    files it matches; a file path or an ``ndarray`` stays as it is. A list is
    expanded item by item, in order.

    Raises:
        FileNotFoundError: a path that is no file, folder or matching glob;
            a folder or glob without images.
    """
    single = isinstance(inputs, (str, os.PathLike, np.ndarray))
    images = []
    for item in [inputs] if single else inputs:
        if isinstance(item, np.ndarray):
            images.append(item)
            continue
        item = os.fspath(item)
        if osp.isdir(item):
            found = sorted(
                osp.join(root, name) for root, _, names in os.walk(item)
                for name in names if name.lower().endswith(IMAGE_EXTENSIONS))
            if not found:
                raise FileNotFoundError(
                    f'no image ({", ".join(IMAGE_EXTENSIONS)}) in folder '
                    f'{item}')
            images.extend(found)
        elif osp.isfile(item):
            images.append(item)
        elif glob.has_magic(item):
            found = glob_files(item)
            if not found:
                raise FileNotFoundError(f'no file matches {item}')
            images.extend(found)
        else:
            raise FileNotFoundError(f'no such image, folder or pattern: '
                                    f'{item}')
    return images


#: Files one pattern may list (a guard against ``/**/*`` over a whole
#: disk); a folder input has no such bound.
MAX_GLOB_FILES = 1_000_000


def _pattern_regex(pattern: str) -> 're.Pattern':
    """A regex for glob's rules on ``/``-separated paths: ``*`` and ``?``
    stay in one path component, ``[...]`` is a class (``[!...]`` negated),
    a ``**`` component matches zero or more folders."""
    parts = []
    components = pattern.split('/')
    for i, comp in enumerate(components):
        last = i == len(components) - 1
        if comp == '**':
            parts.append('(?:[^/]+/)*[^/]+' if last else '(?:[^/]+/)*')
            continue
        out, j = '', 0
        while j < len(comp):
            c = comp[j]
            close = comp.find(']', j + 2) if c == '[' else -1
            if c == '*':
                out += '[^/]*'
            elif c == '?':
                out += '[^/]'
            elif close > 0:
                body = comp[j + 1:close]
                out += '[' + ('^' + body[1:] if body.startswith('!') else
                              body).replace('\\', '\\\\') + ']'
                j = close
            else:
                out += re.escape(c)
            j += 1
        parts.append(out + ('' if last else '/'))
    return re.compile(''.join(parts) + r'\Z')


def glob_files(pattern: str, limit: int = MAX_GLOB_FILES) -> list:
    """The files a glob pattern matches, sorted, as ``glob.glob(pattern,
    recursive=True)`` but without following symlinked folders.

    ``glob`` follows symlinked folders under ``**``, so a folder that links
    to itself or an ancestor made it list for ever (and use memory without
    bound). Here the walk below the pattern's fixed prefix is
    ``os.walk(followlinks=False)``: a symlinked *file* matches, a symlinked
    folder is not entered. As with ``glob``, names starting with a dot
    match only a pattern component that starts with a dot.

    Raises:
        ValueError: more than ``limit`` files match (the message names the
            pattern and says how to narrow it).
    """
    pattern = pattern.replace(os.sep, '/')
    components = pattern.split('/')
    fixed = []
    for comp in components[:-1]:
        if glob.has_magic(comp):
            break
        fixed.append(comp)
    root = '/'.join(fixed) if fixed else '.'
    if fixed == ['']:
        root = '/'
    rest = components[len(fixed):]
    regex = _pattern_regex('/'.join(rest))
    dotted = [c.startswith('.') for c in rest]
    if not osp.isdir(root):
        return []
    found = []
    for folder, dirs, names in os.walk(root, followlinks=False):
        rel_folder = osp.relpath(folder, root).replace(os.sep, '/')
        depth = 0 if rel_folder == '.' else rel_folder.count('/') + 1
        if not any(dotted):
            dirs[:] = [d for d in dirs if not d.startswith('.')]
        dirs.sort()
        for name in sorted(names):
            if name.startswith('.') and not any(dotted):
                continue
            rel = name if depth == 0 else f'{rel_folder}/{name}'
            if regex.match(rel):
                path = osp.join(folder, name) if fixed else (
                    name if depth == 0 else osp.join(rel_folder, name))
                if osp.isfile(path):
                    found.append(path)
                    if len(found) > limit:
                        raise ValueError(
                            f'the pattern {pattern} matches more than '
                            f'{limit} files; narrow it or pass a folder')
    return sorted(found)


class _ImageDataset(Dataset):
    """Runs the test pipeline on one input; a failed read becomes an error
    record instead of an exception, so one bad file does not end the run."""

    def __init__(self, images: list, pipeline_cfg: list):
        self.images = images
        steps = [dict(step) for step in pipeline_cfg]
        if 'LoadImage' not in steps[0]['type']:
            raise ValueError('the test pipeline must start by loading the '
                             f"image; it starts with {steps[0]['type']}")
        # mlic's loader names the path and the reason of every failure; a
        # config's own CheckedLoadImageFromFile keeps its arguments.
        load = steps[0] if steps[0]['type'] == 'CheckedLoadImageFromFile' \
            else dict(type='CheckedLoadImageFromFile')
        self.from_file = Compose([TRANSFORMS.build(load)] +
                                 [TRANSFORMS.build(s) for s in steps[1:]])
        self.from_array = Compose([TRANSFORMS.build(s) for s in steps[1:]])

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> dict:
        item = self.images[index]
        if isinstance(item, np.ndarray):
            try:  # grey, BGRA, 16-bit and [0, 1] float as files are read
                img = image_from_array(item)
            except ValueError as err:
                return dict(index=index, error=str(err))
            packed = self.from_array(
                dict(
                    img=img, img_shape=img.shape[:2], ori_shape=img.shape[:2]))
        else:
            try:
                packed = self.from_file(dict(img_path=item))
            except UnreadableImageError as err:
                return dict(index=index, error=str(err))
        return dict(index=index, packed=packed)


def _collate(records: List[dict]) -> dict:
    good = [r for r in records if 'packed' in r]
    return dict(
        indices=[r['index'] for r in good],
        batch=pseudo_collate([r['packed'] for r in good]) if good else None,
        failed=[(r['index'], r['error']) for r in records if 'error' in r])


class MultiLabelInferencer:
    """Multi-label predictions for images, folders and globs, batched, with
    decoding in DataLoader workers.

    Follows mmpretrain's ``ImageClassificationInferencer`` conventions (built
    from a config, a ``Config`` or a zoo name plus ``pretrained`` weights;
    called as ``inferencer(inputs, batch_size=...)``; one dict per input
    image, in order), but returns every label's score and the labels at or
    above a threshold instead of one argmax class.

    Reused: the model, its weights (safe loading, URL download with sha256,
    zoo lookup) and its class names come from :func:`init_model`; the
    config's test pipeline and the model's data preprocessor do all the
    preprocessing; mmengine's ``pseudo_collate`` batches; torch's
    ``DataLoader`` runs the decoding in worker processes; the thresholds
    file is the one ``eval_metric.py --search-thresholds`` writes
    (:func:`load_thresholds`). mmengine's ``BaseInferencer`` is not the base
    class because its preprocessing runs in the calling process, which would
    leave decoding in series with the model.

    Args:
        model (str | Config | nn.Module): A config file, a ``Config``, a
            zoo name, or a model from :func:`init_model` (then
            ``pretrained`` and ``device`` are not used).
        pretrained (str | bool, optional): A checkpoint path or URL. With a
            zoo name, None or True takes the published weights and False
            none (:func:`~mlic.apis.model_zoo.resolve_weights`). Defaults
            to None.
        device (str, optional): Defaults to CUDA when available, else CPU.
        num_workers (int): Decoding processes. Defaults to 2.

    Example:
        >>> inferencer = MultiLabelInferencer('configs/mlic/mlic_coco.py',
        ...                                   'mlic_coco.pth')
        >>> results = inferencer('photos/', batch_size=32,
        ...                      threshold='thresholds.json')
        >>> results[0]['pred_classes'], results[0]['img_path']
    """

    def __init__(self,
                 model: Union[str, Config, nn.Module],
                 pretrained: Optional[Union[str, bool]] = None,
                 device: Optional[str] = None,
                 num_workers: int = 2):
        if isinstance(model, nn.Module):  # from init_model or get_model
            if not hasattr(model, 'cfg') or not hasattr(model, 'dataset_meta'):
                raise ValueError(
                    'a model passed to MultiLabelInferencer must come from '
                    'init_model or get_model (it needs .cfg and '
                    '.dataset_meta)')
            self.model = model
        else:
            if device is None:
                device = 'cuda' if torch.cuda.is_available() else 'cpu'
            config, checkpoint, sha256 = resolve_weights(model, pretrained)
            self.model = init_model(
                config, checkpoint, device=device, checkpoint_sha256=sha256)
        self.classes: List[str] = list(self.model.dataset_meta['classes'])
        self.num_workers = num_workers
        from .onnx_export import input_shape_of

        #: (H, W) every input is resized to by the config's test pipeline,
        #: or None when the pipeline keeps the input size.
        self.input_size = input_shape_of(self.model.cfg)

    @torch.no_grad()
    def __call__(self,
                 inputs: Union[InputType, Sequence[InputType]],
                 batch_size: int = 1,
                 threshold: Union[float, Sequence[float], str] = 0.5,
                 topk: Optional[int] = None,
                 show_progress: bool = True) -> List[Dict]:
        """Predict.

        Args:
            inputs: An image path, an image ``ndarray`` (BGR (H, W, 3)
                uint8; grey, BGRA, uint16 and float in [0, 1] are converted
                as :func:`~mlic.datasets.transforms.image_from_array` says),
                a folder (searched recursively), a glob, or a list of them.
            batch_size (int): Images per forward pass.
            threshold (float | sequence | str): One score threshold, one
                per label (C,), or a per-label thresholds JSON file.
            topk (int, optional): Predict the k best labels of each image
                instead of thresholding.
            show_progress (bool): A progress bar (on stderr) when there is
                more than one batch.

        Returns:
            list[dict]: Per input image, in order: ``img_path`` (None for
            an array), ``pred_scores`` (C floats, ndarray), ``pred_labels``
            (label indices at or above the threshold, best first),
            ``pred_classes`` (their names) and ``error`` (None, or why the
            image could not be read; then ``pred_scores`` is None and no
            label is predicted).
        """
        if batch_size < 1:
            raise ValueError(f'batch_size must be >= 1, got {batch_size}')
        if topk is not None and not 1 <= topk <= len(self.classes):
            raise ValueError(f'topk must be in [1, {len(self.classes)}], '
                             f'got {topk}')
        thresholds = per_label_thresholds(threshold, self.classes)
        images = list_images(inputs)
        dataset = _ImageDataset(
            images, self.model.cfg.test_dataloader.dataset.pipeline)
        num_batches = -(-len(images) // batch_size)
        loader = DataLoader(
            dataset,
            batch_size=batch_size,
            num_workers=self.num_workers if num_batches > 1 else 0,
            collate_fn=_collate)
        results: List[Optional[dict]] = [None] * len(images)
        for chunk in self._progress(loader, num_batches, show_progress):
            for index, error in chunk['failed']:
                results[index] = self._failure(images[index], error)
            if chunk['batch'] is None:
                continue
            data = self.model.data_preprocessor(chunk['batch'], False)
            scores = torch.sigmoid(self.model(data['inputs'], mode='tensor'))
            for index, row in zip(chunk['indices'],
                                  scores.float().cpu().numpy()):
                results[index] = self._prediction(images[index], row,
                                                  thresholds, topk)
        return results

    def _prediction(self, image: InputType, row: np.ndarray,
                    thresholds: np.ndarray, topk: Optional[int]) -> dict:
        if topk is not None:
            labels = np.argsort(-row, kind='stable')[:topk]
        else:
            labels = np.flatnonzero(row >= thresholds)
            labels = labels[np.argsort(-row[labels], kind='stable')]
        return dict(
            img_path=image if isinstance(image, str) else None,
            pred_scores=row,
            pred_labels=labels.tolist(),
            pred_classes=[self.classes[i] for i in labels],
            error=None)

    @staticmethod
    def _failure(image: InputType, error: str) -> dict:
        path = image if isinstance(image, str) else None
        print(f'mlic: skipped {path or "an array"}: {error}', file=sys.stderr)
        return dict(
            img_path=path,
            pred_scores=None,
            pred_labels=[],
            pred_classes=[],
            error=error)

    @staticmethod
    def _progress(loader, total: int, show: bool):
        if not show or total <= 1:
            yield from loader
            return
        from rich.console import Console
        from rich.progress import Progress
        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task('inference', total=total)
            for chunk in loader:
                yield chunk
                bar.advance(task)
