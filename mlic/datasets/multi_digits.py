import os
import os.path as osp
from typing import Dict, List

import cv2
import numpy as np

from mlic.registry import DATASETS
from .generated_folder import (ensure_generated, generate_atomically,
                               generation_params)
from .label_list_dataset import LabelListDataset
from .utils import check_split

#: Digits that usually appear together: when a scene holds one of them, its
#: partner is added with probability ``PARTNER_PROB``.
PARTNERS: Dict[int, int] = {
    0: 6,
    6: 0,
    1: 7,
    7: 1,
    2: 5,
    5: 2,
    3: 8,
    8: 3,
    4: 9,
    9: 4
}
PARTNER_PROB = 0.8
#: Share of the 1,797 source scans given to the train split; the test split
#: draws only from the others.
TRAIN_SCAN_FRACTION = 0.7
FORMAT_VERSION = 1


def _split_scans(labels: np.ndarray, seed: int) -> Dict[str, List[np.ndarray]]:
    """Disjoint train/test scan indices, grouped by digit."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(labels))
    cut = int(round(TRAIN_SCAN_FRACTION * len(labels)))
    splits = dict(train=order[:cut], test=order[cut:])
    return {
        name: [idx[labels[idx] == d] for d in range(10)]
        for name, idx in splits.items()
    }


def _draw_labels(rng: np.random.Generator) -> List[int]:
    count = int(rng.integers(1, 5))
    labels: List[int] = []
    while len(labels) < count:
        digit = int(rng.choice([d for d in range(10) if d not in labels]))
        labels.append(digit)
        partner = PARTNERS[digit]
        if (len(labels) < count and partner not in labels
                and rng.random() < PARTNER_PROB):
            labels.append(partner)
    return sorted(labels)


def _render_scene(rng: np.random.Generator, scans: np.ndarray,
                  scan_ids: List[np.ndarray], labels: List[int],
                  size: int) -> np.ndarray:
    """A (size, size, 3) uint8 BGR scene with one scan per label."""
    background = rng.integers(0, 60, size=3)
    noise = rng.normal(0, 8, size=(size, size, 3))
    canvas = np.clip(background + noise, 0, 255)
    cell = size // 2
    cells = rng.permutation(4)[:len(labels)]
    for digit, cell_id in zip(labels, cells):
        scan = scans[int(rng.choice(scan_ids[digit]))] / 16.0
        side = int(rng.integers(cell // 2, cell - 5))
        mask = cv2.resize(scan, (side, side), interpolation=cv2.INTER_LINEAR)
        y0 = (cell_id // 2) * cell + int(rng.integers(0, cell - side + 1))
        x0 = (cell_id % 2) * cell + int(rng.integers(0, cell - side + 1))
        colour = rng.integers(150, 256, size=3)
        region = canvas[y0:y0 + side, x0:x0 + side]
        mask = mask[..., None]
        canvas[y0:y0 + side, x0:x0 + side] = region * (1 - mask) + \
            colour * mask
    return canvas.astype(np.uint8)


def generate_multidigits(root: str, num_train: int, num_test: int,
                         image_size: int, seed: int) -> None:
    """Write the MultiDigits scenes and lists under ``root``, atomically
    (:func:`generate_atomically`)."""
    from sklearn.datasets import load_digits  # ships its data, no download
    digits = load_digits()
    scans = digits.images.astype(np.float32)
    scan_ids = _split_scans(digits.target, seed)

    def fill(tmp: str) -> None:
        with open(osp.join(tmp, 'label.txt'), 'w') as f:
            f.write(''.join(f'{d}\n' for d in range(10)))
        splits = (('train', num_train), ('test', num_test))
        for offset, (split, count) in enumerate(splits):
            rng = np.random.default_rng([seed, offset])
            os.makedirs(osp.join(tmp, split))
            lines = []
            for i in range(count):
                labels = _draw_labels(rng)
                image = _render_scene(rng, scans, scan_ids[split], labels,
                                      image_size)
                rel = f'{split}/{i:05d}.png'
                cv2.imwrite(osp.join(tmp, rel), image)
                lines.append(f'{rel}\t{",".join(map(str, labels))}\n')
            with open(osp.join(tmp, f'{split}.txt'), 'w') as f:
                f.writelines(lines)

    generate_atomically(root, _params(num_train, num_test, image_size, seed),
                        fill, '.multidigits-')


def _params(num_train: int, num_test: int, image_size: int, seed: int) -> dict:
    return generation_params(FORMAT_VERSION, num_train, num_test, image_size,
                             seed)


@DATASETS.register_module()
class MultiDigits(LabelListDataset):
    """Small real multi-label dataset that ships with mlic (no download).

    Scenes of ``image_size`` px (64 by default) holding 1-4 of the real 8x8
    handwritten digit scans that scikit-learn ships
    (``sklearn.datasets.load_digits``, 1,797 scans), scaled to 16-26 px, in
    random colours on a noisy background, one digit per quadrant. 10 labels
    (``'0'`` ... ``'9'``), each at most once per scene.

    Co-occurrence structure: digits come in partner pairs (0, 6), (1, 7),
    (2, 5), (3, 8), (4, 9). A scene draws its size 1-4, then digits
    uniformly; after each digit its partner is added with probability 0.8
    while room is left. So partners co-occur far more often than other
    pairs, which a co-occurrence model can exploit.

    70% of the scans (seeded split) render the train scenes and the other
    30% the test scenes, so no test scan is seen in training. The data is
    generated on first use under ``data_root`` (a few seconds), in the
    reference's list format (``train.txt``, ``test.txt``, ``label.txt``) so
    it is read by :class:`LabelListDataset`; the same parameters always give
    the same files. A ``data_root`` generated with other parameters is
    refused rather than silently reused.

    Args:
        data_root (str): Folder of the generated data.
            Defaults to ``'data/multidigits'``.
        split (str): ``'train'`` or ``'test'``.
        num_train (int): Train scenes. Defaults to 4000.
        num_test (int): Test scenes. Defaults to 1000.
        image_size (int): Scene side in px. Defaults to 64.
        seed (int): Generation seed. Defaults to 0.
        **kwargs: ``LabelListDataset``/``BaseDataset`` arguments.
    """

    #: Known without reading data (``declared_metainfo``): the labels, and
    #: the argument that sets every image's side.
    DECLARED_CLASSES = tuple(str(d) for d in range(10))
    IMAGE_SIZE_ARG = 'image_size'

    def __init__(self,
                 data_root: str = 'data/multidigits',
                 split: str = 'train',
                 num_train: int = 4000,
                 num_test: int = 1000,
                 image_size: int = 64,
                 seed: int = 0,
                 **kwargs):
        check_split('MultiDigits', split)
        if image_size < 32:
            raise ValueError(f'image_size must be >= 32, got {image_size}')
        self.split = split
        self.ensure_generated(data_root, num_train, num_test, image_size, seed)
        super().__init__(
            ann_file=f'{split}.txt',
            label_file='label.txt',
            data_root=data_root,
            **kwargs)

    @staticmethod
    def ensure_generated(data_root: str, num_train: int, num_test: int,
                         image_size: int, seed: int) -> None:
        ensure_generated(
            data_root, _params(num_train, num_test, image_size, seed),
            lambda: generate_multidigits(data_root, num_train, num_test,
                                         image_size, seed), 'MultiDigits')
