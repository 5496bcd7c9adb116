"""SingleGlyphs: one glyph per cluttered scene, for pretraining a backbone
on glyphs without any co-occurrence signal. Rendered on first use, no
download.

This is MultiGlyphs' analogue of ImageNet pretraining: a single-label task
(softmax over the same 30 glyph classes) whose scenes hold exactly one
glyph, so nothing in it says which labels go together. The scenes are
rendered by :func:`mlic.datasets.multi_glyphs.render_scene` (same
background, clutter strokes, blur, low contrast and glyph sizes) from the
glyph images of MultiGlyphs' *training* split only: the digit scans and
letter glyphs that MultiGlyphs draws its test scenes from never appear
here, so a backbone pretrained on SingleGlyphs has seen no test glyph.

Labels are balanced: each split cycles through the 30 classes and is
shuffled with its seed. Its own ``train`` and ``test`` splits differ in
their scenes (random streams disjoint from MultiGlyphs'), not in their
glyph images; the test split measures the pretraining's accuracy on new
renderings, not on new glyphs.
"""
import json
import os
import os.path as osp

import cv2
import numpy as np

from mlic.registry import DATASETS
from .generated_folder import (ensure_generated, generate_atomically,
                               generation_params)
from .label_list_dataset import LabelListDataset
from .multi_glyphs import CLASSES, glyph_sources, render_scene
from .utils import check_split

FORMAT_VERSION = 1
#: Offset of SingleGlyphs' random streams; MultiGlyphs uses [seed, 0..1]
#: for its scenes and [seed, 100..101] for its letter banks.
STREAM_OFFSET = 1000


def generate_singleglyphs(root: str, num_train: int, num_test: int,
                          image_size: int, seed: int) -> None:
    """Write the SingleGlyphs scenes and lists atomically.

    Files: ``label.txt``, ``{split}.txt`` (reference list format, one label
    a line), ``{split}/NNNNN.png`` and ``{split}_scenes.json`` (per scene
    the object as ``[label, from_outside, x, y, side, glyph index]``).

    Args:
        root (str): The folder to create.
        num_train (int): Train scenes.
        num_test (int): Test scenes.
        image_size (int): Scene side in px.
        seed (int): The MultiGlyphs generation seed whose training glyphs
            are drawn; also seeds the scenes.
    """
    glyphs = glyph_sources(seed)['train']

    def fill(tmp: str) -> None:
        with open(osp.join(tmp, 'label.txt'), 'w') as f:
            f.write(''.join(f'{name}\n' for name in CLASSES))
        splits = (('train', num_train), ('test', num_test))
        for offset, (split, count) in enumerate(splits):
            rng = np.random.default_rng([seed, STREAM_OFFSET + offset])
            labels = rng.permutation(np.arange(count) % len(CLASSES))
            os.makedirs(osp.join(tmp, split))
            lines, records = [], []
            for i, label in enumerate(labels):
                image, placed = render_scene(rng, glyphs,
                                             [[int(label), False]], image_size)
                rel = f'{split}/{i:05d}.png'
                cv2.imwrite(osp.join(tmp, rel), image)
                lines.append(f'{rel}\t{CLASSES[label]}\n')
                records.append(placed[0])
            with open(osp.join(tmp, f'{split}.txt'), 'w') as f:
                f.writelines(lines)
            with open(osp.join(tmp, f'{split}_scenes.json'), 'w') as f:
                json.dump(records, f, separators=(',', ':'))

    generate_atomically(
        root,
        generation_params(FORMAT_VERSION, num_train, num_test, image_size,
                          seed), fill, '.singleglyphs-')


@DATASETS.register_module()
class SingleGlyphs(LabelListDataset):
    """One glyph per cluttered 64 px scene, 30 balanced classes.

    The pretraining data of the MultiGlyphs protocol
    (docs/benchmarks.md): rendered like :class:`MultiGlyphs` from its
    training glyphs only, one glyph a scene, so it carries no label
    co-occurrence. Each sample's ``gt_label`` holds its one class, which
    mmpretrain's ``LinearClsHead`` (softmax cross-entropy) and ``Accuracy``
    read as a single-label target. Generated on the first use of
    ``data_root`` (about 40 s for 22,000 scenes), deterministic from the
    parameters, written atomically, and refused if the folder holds other
    parameters, as :class:`MultiGlyphs`.

    Args:
        data_root (str): Folder of the generated data.
            Defaults to ``'data/singleglyphs'``.
        split (str): ``'train'`` or ``'test'``.
        num_train (int): Train scenes. Defaults to 20000.
        num_test (int): Test scenes. Defaults to 2000.
        image_size (int): Scene side in px, 48 to 128. Defaults to 64.
        seed (int): The MultiGlyphs generation seed whose training glyphs
            are used (0, as in every MultiGlyphs config). Defaults to 0.
        **kwargs: ``LabelListDataset``/``BaseDataset`` arguments.
    """

    #: Known without reading data (``declared_metainfo``): the labels, and
    #: the argument that sets every image's side.
    DECLARED_CLASSES = tuple(CLASSES)
    IMAGE_SIZE_ARG = 'image_size'

    def __init__(self,
                 data_root: str = 'data/singleglyphs',
                 split: str = 'train',
                 num_train: int = 20000,
                 num_test: int = 2000,
                 image_size: int = 64,
                 seed: int = 0,
                 **kwargs):
        check_split('SingleGlyphs', split)
        if not 48 <= image_size <= 128:
            raise ValueError(
                f'SingleGlyphs image_size must be in [48, 128], got '
                f'{image_size}')
        self.split = split
        ensure_generated(
            data_root,
            generation_params(FORMAT_VERSION, num_train, num_test, image_size,
                              seed),
            lambda: generate_singleglyphs(data_root, num_train, num_test,
                                          image_size, seed), 'SingleGlyphs')
        super().__init__(
            ann_file=f'{split}.txt',
            label_file='label.txt',
            data_root=data_root,
            **kwargs)
