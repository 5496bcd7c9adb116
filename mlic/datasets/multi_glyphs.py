"""MultiGlyphs: cluttered scenes of digits and letters whose labels co-occur
through latent scene themes. Rendered on first use, no download.

The generative process (also in docs/datasets.md):

1. A scene draws one of the 8 :data:`THEMES` uniformly and an object count
   n in 1..8 from :data:`OBJECT_COUNT_WEIGHTS`.
2. Each object is, with probability :data:`OUTSIDE_SHARE`, a label drawn
   uniformly from outside the theme, else a label drawn from the theme's
   weights (with replacement: a label may appear twice).
3. Every label of a :data:`BOUND_PAIRS` pair present without its partner
   brings the partner with probability :data:`BOUND_PROB` while fewer than 8
   objects are placed.
4. Labels of a :data:`NEVER_PAIRS` pair are never in one scene: they are the
   glyphs that look alike at 8 x 8 (0/O, 2/Z, 5/S, 6/G, 8/B), so the rest of
   the scene is what tells them apart. No theme holds both, and outside draws
   skip a label whose twin is present.
5. Rendering: every glyph is an 8 x 8 grey image (a real digit scan from
   scikit-learn, or a capital drawn with an OpenCV Hershey font, distorted
   and reduced to the scans' 8 x 8, 17-level format), scaled to 16-24 px,
   blurred (15 % of glyphs) or low-contrast (10 %), placed so that a new
   glyph covers at most 30 % of an earlier one's box where it can (later
   glyphs partly occlude earlier ones), over a noisy gradient background
   with 1-3 clutter strokes (segments, arcs, rings) that are no label.

Digits of the train and test splits come from disjoint scans; letters from
glyph banks drawn with independent random streams, and any test letter equal
to a training one is redrawn, so no test glyph image is a training glyph.
"""
import json
import os
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import cv2
import numpy as np

from mlic.registry import DATASETS
from .generated_folder import (ensure_generated, generate_atomically,
                               generation_params)
from .label_list_dataset import LabelListDataset
from .multi_digits import _split_scans
from .utils import check_split

DIGITS = [str(d) for d in range(10)]
LETTERS = list('ABCDEFGHKLMNOPRSTUXZ')
#: The 30 label names, in label order.
CLASSES = DIGITS + LETTERS

#: Scene themes: name -> label weights. Labels shared by several themes
#: (1, 3, 4, 7, 9, A, D, E, H, K, L, O, T, U, X) tie the themes together.
THEMES: Dict[str, Dict[str, float]] = {
    'counting': {
        '0': 3,
        '1': 3,
        '2': 2,
        '3': 2,
        '4': 2,
        '7': 1
    },
    'prices': {
        '5': 3,
        '6': 2,
        '8': 2,
        '9': 3,
        '1': 1,
        '4': 1
    },
    'rounds': {
        'O': 3,
        'C': 3,
        'G': 2,
        'U': 2,
        'S': 2,
        'D': 1
    },
    'bars': {
        'E': 3,
        'F': 2,
        'H': 3,
        'L': 2,
        'T': 2,
        'U': 1
    },
    'zigzags': {
        'A': 2,
        'K': 2,
        'M': 2,
        'N': 2,
        'X': 3,
        'Z': 2
    },
    'bowls': {
        'B': 3,
        'P': 2,
        'R': 2,
        'D': 2,
        'O': 1,
        '3': 1
    },
    'plates': {
        'A': 2,
        'K': 2,
        '7': 2,
        '9': 2,
        'E': 1,
        '4': 2,
        'X': 1
    },
    'grid': {
        'H': 2,
        'T': 2,
        'L': 2,
        '1': 2,
        '4': 2,
        '0': 1
    },
}
#: Labels that come almost always together (see BOUND_PROB).
BOUND_PAIRS: List[Tuple[str, str]] = [('P', 'R'), ('E', 'F'), ('M', 'N'),
                                      ('3', '7'), ('C', 'U')]
BOUND_PROB = 0.9
#: Look-alike labels that never share a scene.
NEVER_PAIRS: List[Tuple[str, str]] = [('0', 'O'), ('2', 'Z'), ('5', 'S'),
                                      ('6', 'G'), ('8', 'B')]
#: Probability that an object comes from outside the scene's theme.
OUTSIDE_SHARE = 0.15
#: Weights of 1..8 objects per scene.
OBJECT_COUNT_WEIGHTS = (2, 3, 3, 3, 2, 2, 1, 1)
MAX_OBJECTS = len(OBJECT_COUNT_WEIGHTS)
GLYPH_SIZE_RANGE = (16, 24)
#: A new glyph may cover at most this share of an earlier glyph's box
#: (12 tries; the last is kept, so heavier occlusion happens in full scenes).
MAX_OCCLUDED = 0.3
BLUR_PROB = 0.15
LOW_CONTRAST_PROB = 0.1
CLUTTER_RANGE = (1, 3)
#: Letter glyphs drawn per letter for each split (the digit scans give
#: about 126 train and 54 test per digit).
LETTER_GLYPHS = dict(train=126, test=54)
HERSHEY_FACES = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_PLAIN,
                 cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_COMPLEX,
                 cv2.FONT_HERSHEY_TRIPLEX, cv2.FONT_HERSHEY_COMPLEX_SMALL,
                 cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
                 cv2.FONT_HERSHEY_SCRIPT_COMPLEX)
FORMAT_VERSION = 1

_INDEX = {name: i for i, name in enumerate(CLASSES)}


def _theme_tables() -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(themes, C) label probabilities, (themes, C) membership, (C,) twin.

    ``twin[c]`` is the never-pair partner of label c, or -1.
    """
    probs = np.zeros((len(THEMES), len(CLASSES)))
    for t, weights in enumerate(THEMES.values()):
        for name, w in weights.items():
            probs[t, _INDEX[name]] = w
    probs /= probs.sum(1, keepdims=True)
    twin = np.full(len(CLASSES), -1)
    for a, b in NEVER_PAIRS:
        twin[_INDEX[a]], twin[_INDEX[b]] = _INDEX[b], _INDEX[a]
    return probs, probs > 0, twin


def check_themes() -> None:
    """Raise ValueError if the tables above break the documented rules."""
    probs, member, twin = _theme_tables()
    for t, name in enumerate(THEMES):
        for a, b in NEVER_PAIRS:
            if member[t, _INDEX[a]] and member[t, _INDEX[b]]:
                raise ValueError(f'theme {name} holds never-pair {a}/{b}')
    never = {frozenset(p) for p in NEVER_PAIRS}
    for pair in BOUND_PAIRS:
        if frozenset(pair) in never:
            raise ValueError(f'{pair} is both bound and never')
    missing = [CLASSES[c] for c in np.flatnonzero(~member.any(0))]
    if missing:
        raise ValueError(f'labels in no theme: {missing}')


def draw_scene_objects(rng: np.random.Generator) -> Tuple[int, List[list]]:
    """One scene's theme and objects.

    Returns:
        tuple: theme index and a list of ``[label index, from_outside]``,
        1 to 8 items.
    """
    probs, member, twin = _THEME_TABLES
    theme = int(rng.integers(len(THEMES)))
    count = int(
        rng.choice(
            MAX_OBJECTS,
            p=np.asarray(OBJECT_COUNT_WEIGHTS) /
            sum(OBJECT_COUNT_WEIGHTS))) + 1
    objects: List[list] = []
    present = np.zeros(len(CLASSES), bool)
    for _ in range(count):
        if rng.random() < OUTSIDE_SHARE:
            allowed = ~member[theme] & ~_twin_present(present, twin)
            label = int(rng.choice(np.flatnonzero(allowed)))
            objects.append([label, True])
        else:
            label = int(rng.choice(len(CLASSES), p=probs[theme]))
            if twin[label] >= 0 and present[twin[label]]:
                # Only an outside draw can bring a twin of a theme label; a
                # theme never holds both, so keep the scene as it is.
                continue
            objects.append([label, False])
        present[label] = True
    for a, b in BOUND_PAIRS:
        for have, add in ((a, b), (b, a)):
            ia, ib = _INDEX[have], _INDEX[add]
            if (present[ia] and not present[ib] and len(objects) < MAX_OBJECTS
                    and not _twin_present(present, twin)[ib]
                    and rng.random() < BOUND_PROB):
                objects.append([ib, not member[theme, ib]])
                present[ib] = True
    return theme, objects


def _twin_present(present: np.ndarray, twin: np.ndarray) -> np.ndarray:
    """(C,) bool: the label's never-pair twin is in the scene."""
    return (twin >= 0) & present[np.maximum(twin, 0)]


_THEME_TABLES = _theme_tables()


def render_letter(rng: np.random.Generator, letter: str) -> np.ndarray:
    """An (8, 8) float32 glyph in [0, 1], 17 grey levels, like the scans.

    Random Hershey face (italic 30 % of the time), stroke thickness 1-3,
    rotation within ±15°, shear within ±0.3 and an elastic distortion, drawn
    at 48 px, cropped to the glyph, padded square and reduced by area.
    """
    size = 48
    canvas = np.zeros((size, size), np.uint8)
    face = HERSHEY_FACES[int(rng.integers(len(HERSHEY_FACES)))]
    if rng.random() < 0.3:
        face |= cv2.FONT_ITALIC
    thickness = int(rng.integers(1, 4))
    scale = cv2.getFontScaleFromHeight(face, 26, thickness)
    (w, h), _ = cv2.getTextSize(letter, face, scale, thickness)
    cv2.putText(canvas, letter, ((size - w) // 2, (size + h) // 2), face,
                scale, 255, thickness, cv2.LINE_AA)
    angle = rng.uniform(-15, 15)
    shear = rng.uniform(-0.3, 0.3)
    affine = cv2.getRotationMatrix2D((size / 2, size / 2), angle, 1.0)
    affine[0, 1] += shear
    affine[0, 2] -= shear * size / 2
    canvas = cv2.warpAffine(canvas, affine, (size, size))
    # Elastic distortion: a smooth random displacement field.
    alpha = rng.uniform(0, 3.0)
    dx, dy = (
        cv2.GaussianBlur(
            rng.uniform(-1, 1, (size, size)).astype(np.float32),
            (0, 0), 5) * alpha * 10 for _ in range(2))
    grid_x, grid_y = np.meshgrid(
        np.arange(size, dtype=np.float32), np.arange(size, dtype=np.float32))
    canvas = cv2.remap(canvas, grid_x + dx, grid_y + dy, cv2.INTER_LINEAR)
    ys, xs = np.nonzero(canvas > 32)
    if len(ys) == 0:  # distorted out of the canvas: draw again
        return render_letter(rng, letter)
    crop = canvas[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    side = max(crop.shape) + 2
    square = np.zeros((side, side), np.float32)
    y0, x0 = (side - crop.shape[0]) // 2, (side - crop.shape[1]) // 2
    square[y0:y0 + crop.shape[0], x0:x0 + crop.shape[1]] = crop
    small = cv2.resize(square, (8, 8), interpolation=cv2.INTER_AREA)
    small /= max(float(small.max()), 1e-6)
    return (np.round(small * 16) / 16).astype(np.float32)


def letter_banks(seed: int) -> Dict[str, Dict[str, np.ndarray]]:
    """Letter glyphs per split: ``{split: {letter: (n, 8, 8)}}``.

    Train and test use independent random streams; a test glyph identical
    to any train glyph of the same letter is drawn again.
    """
    banks: Dict[str, Dict[str, np.ndarray]] = {}
    seen: Dict[str, set] = {letter: set() for letter in LETTERS}
    for offset, split in enumerate(('train', 'test')):
        rng = np.random.default_rng([seed, 100 + offset])
        banks[split] = {}
        for letter in LETTERS:
            glyphs: List[np.ndarray] = []
            while len(glyphs) < LETTER_GLYPHS[split]:
                glyph = render_letter(rng, letter)
                key = glyph.tobytes()
                if key in seen[letter]:
                    continue
                seen[letter].add(key)
                glyphs.append(glyph)
            banks[split][letter] = np.stack(glyphs)
    return banks


def glyph_sources(seed: int) -> Dict[str, List[np.ndarray]]:
    """Per split, a list over the 30 labels of (n, 8, 8) float glyphs."""
    from sklearn.datasets import load_digits  # ships its data, no download
    digits = load_digits()
    scans = digits.images.astype(np.float32) / 16.0
    scan_ids = _split_scans(digits.target, seed)
    letters = letter_banks(seed)
    return {
        split: [scans[idx] for idx in scan_ids[split]] +
        [letters[split][letter] for letter in LETTERS]
        for split in ('train', 'test')
    }


def _background(rng: np.random.Generator, size: int) -> np.ndarray:
    """(size, size, 3) float background: dark colour, gradient, noise."""
    base = rng.uniform(10, 90, size=3)
    ramp = np.linspace(-1, 1, size, dtype=np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    gradient = (np.cos(angle) * ramp[None, :] + np.sin(angle) * ramp[:, None])
    strength = rng.uniform(0, 30, size=3)
    noise = rng.normal(0, rng.uniform(4, 12), size=(size, size, 3))
    return base + gradient[..., None] * strength + noise


def _object_colour(rng: np.random.Generator,
                   background: np.ndarray) -> np.ndarray:
    """A glyph colour, LOW_CONTRAST_PROB of the time close to the
    background."""
    lo, hi = (35, 70) if rng.random() < LOW_CONTRAST_PROB else (70, 200)
    direction = rng.normal(size=3)
    direction /= np.linalg.norm(direction) + 1e-6
    if direction.sum() < 0:
        direction = -direction  # mostly brighter than the background
    return np.clip(background + direction * rng.uniform(lo, hi) * 1.7, 0, 255)


def _place(rng: np.random.Generator, size: int, side: int,
           boxes: List[Tuple[int, int, int]]) -> Tuple[int, int]:
    """Top-left corner covering at most MAX_OCCLUDED of any earlier box."""
    for _ in range(12):
        y, x = (int(v) for v in rng.integers(0, size - side + 1, size=2))
        ok = True
        for by, bx, bs in boxes:
            inter = (
                max(0,
                    min(y + side, by + bs) - max(y, by)) *
                max(0,
                    min(x + side, bx + bs) - max(x, bx)))
            if inter > MAX_OCCLUDED * bs * bs:
                ok = False
                break
        if ok:
            break
    return y, x


def _draw_clutter(rng: np.random.Generator, canvas: np.ndarray) -> None:
    """Strokes that are no label: segments, arcs and small rings."""
    size = canvas.shape[0]
    for _ in range(int(rng.integers(CLUTTER_RANGE[0], CLUTTER_RANGE[1] + 1))):
        colour = tuple(float(c) for c in rng.uniform(40, 230, size=3))
        thickness = int(rng.integers(1, 3))
        kind = rng.integers(3)
        cx, cy = (int(v) for v in rng.integers(0, size, size=2))
        if kind == 0:
            length = rng.uniform(5, 18)
            angle = rng.uniform(0, np.pi)
            dx, dy = length * np.cos(angle) / 2, length * np.sin(angle) / 2
            cv2.line(canvas, (int(cx - dx), int(cy - dy)),
                     (int(cx + dx), int(cy + dy)), colour, thickness,
                     cv2.LINE_AA)
        else:
            radius = int(rng.integers(2, 7))
            start = rng.uniform(0, 360)
            span = 360 if kind == 1 else rng.uniform(90, 240)
            cv2.ellipse(canvas, (cx, cy), (radius, radius), 0, start,
                        start + span, colour, thickness, cv2.LINE_AA)


def render_scene(rng: np.random.Generator, glyphs: Sequence[np.ndarray],
                 objects: List[list], size: int) -> Tuple[np.ndarray, list]:
    """Render the objects of :func:`draw_scene_objects`.

    Args:
        glyphs: per label, (n, 8, 8) glyphs of the split.
        objects: ``[label, from_outside]`` items.
        size: scene side in px.

    Returns:
        tuple: the (size, size, 3) uint8 BGR scene and, per object,
        ``[label, from_outside, x, y, side, glyph index]``.
    """
    canvas = _background(rng, size)
    _draw_clutter(rng, canvas)
    boxes: List[Tuple[int, int, int]] = []
    placed = []
    for label, outside in objects:
        index = int(rng.integers(len(glyphs[label])))
        side = int(rng.integers(GLYPH_SIZE_RANGE[0], GLYPH_SIZE_RANGE[1] + 1))
        mask = cv2.resize(
            glyphs[label][index], (side, side), interpolation=cv2.INTER_LINEAR)
        if rng.random() < BLUR_PROB:
            mask = cv2.GaussianBlur(mask, (0, 0), rng.uniform(0.6, 1.2))
        y, x = _place(rng, size, side, boxes)
        region = canvas[y:y + side, x:x + side]
        colour = _object_colour(rng, region.mean((0, 1)))
        mask = np.clip(mask, 0, 1)[..., None]
        canvas[y:y + side, x:x + side] = region * (1 - mask) + colour * mask
        boxes.append((y, x, side))
        placed.append([label, bool(outside), x, y, side, index])
    return np.clip(canvas, 0, 255).astype(np.uint8), placed


def generate_multiglyphs(root: str, num_train: int, num_test: int,
                         image_size: int, seed: int) -> None:
    """Write the MultiGlyphs scenes, lists and per-scene records atomically.

    Files: ``label.txt``, ``{split}.txt`` (reference list format),
    ``{split}/NNNNN.png`` and ``{split}_scenes.json`` (per scene: theme and
    objects as ``[label, from_outside, x, y, side, glyph index]``).
    """
    check_themes()
    sources = glyph_sources(seed)

    def fill(tmp: str) -> None:
        with open(osp.join(tmp, 'label.txt'), 'w') as f:
            f.write(''.join(f'{name}\n' for name in CLASSES))
        splits = (('train', num_train), ('test', num_test))
        for offset, (split, count) in enumerate(splits):
            rng = np.random.default_rng([seed, offset])
            os.makedirs(osp.join(tmp, split))
            lines, records = [], []
            for i in range(count):
                theme, objects = draw_scene_objects(rng)
                image, placed = render_scene(rng, sources[split], objects,
                                             image_size)
                rel = f'{split}/{i:05d}.png'
                cv2.imwrite(osp.join(tmp, rel), image)
                names = ','.join(CLASSES[c]
                                 for c in sorted({o[0]
                                                  for o in objects}))
                lines.append(f'{rel}\t{names}\n')
                records.append(dict(theme=list(THEMES)[theme], objects=placed))
            with open(osp.join(tmp, f'{split}.txt'), 'w') as f:
                f.writelines(lines)
            with open(osp.join(tmp, f'{split}_scenes.json'), 'w') as f:
                json.dump(records, f, separators=(',', ':'))

    generate_atomically(root, _params(num_train, num_test, image_size, seed),
                        fill, '.multiglyphs-')


def _params(num_train: int, num_test: int, image_size: int, seed: int) -> dict:
    return generation_params(FORMAT_VERSION, num_train, num_test, image_size,
                             seed)


@DATASETS.register_module()
class MultiGlyphs(LabelListDataset):
    """Cluttered digit-and-letter scenes with theme-driven co-occurrence.

    30 labels (``'0'``-``'9'`` and 20 capitals), 1-8 objects of 16-24 px
    per 64 px scene, drawn from 8 latent themes with bound pairs (almost always
    together), never pairs (look-alike glyphs, never together) and 15 % of
    objects from outside the theme; occlusion, blur, low contrast and
    clutter strokes. The generative process and its statistics are in the
    module docstring and docs/datasets.md. Built on the first use of
    ``data_root`` (about a minute for 8,000 scenes), deterministic from the
    parameters, written atomically, and refused if the folder holds other
    parameters, as :class:`MultiDigits`. Read as :class:`LabelListDataset`.

    Args:
        data_root (str): Folder of the generated data.
            Defaults to ``'data/multiglyphs'``.
        split (str): ``'train'``, ``'val'`` or ``'test'``.
        num_train (int): Train scenes. Defaults to 6000.
        num_test (int): Test scenes. Defaults to 2000.
        image_size (int): Scene side in px, 48 to 128. Defaults to 64.
        seed (int): Generation seed. Defaults to 0.
        num_val (int): Scenes carved out of the generated training scenes
            for validation: the last ``num_val`` of them form the ``'val'``
            split and ``'train'`` keeps the others, so the two are disjoint
            and neither touches test. 0 (the default) keeps every training
            scene in ``'train'`` and has no ``'val'`` split. Not a
            generation parameter: the files on disk are the same.
        **kwargs: ``LabelListDataset``/``BaseDataset`` arguments.
    """

    #: Known without reading data (``declared_metainfo``): the labels, and
    #: the argument that sets every image's side.
    DECLARED_CLASSES = tuple(CLASSES)
    IMAGE_SIZE_ARG = 'image_size'

    def __init__(self,
                 data_root: str = 'data/multiglyphs',
                 split: str = 'train',
                 num_train: int = 6000,
                 num_test: int = 2000,
                 image_size: int = 64,
                 seed: int = 0,
                 num_val: int = 0,
                 **kwargs):
        check_split('MultiGlyphs', split, ('train', 'val', 'test'))
        if not 0 <= num_val < num_train:
            raise ValueError(f'MultiGlyphs num_val must be in [0, num_train '
                             f'= {num_train}), got {num_val}')
        if split == 'val' and num_val == 0:
            raise ValueError(
                "MultiGlyphs split='val' needs num_val > 0 (the number of "
                'training scenes to carve out for validation)')
        self.num_val = num_val
        self.num_train = num_train
        if not 48 <= image_size <= 128:
            raise ValueError(
                f'MultiGlyphs image_size must be in [48, 128], got '
                f'{image_size}')
        self.split = split
        ensure_generated(
            data_root, _params(num_train, num_test, image_size, seed),
            lambda: generate_multiglyphs(data_root, num_train, num_test,
                                         image_size, seed), 'MultiGlyphs')
        super().__init__(
            ann_file=f'{"train" if split == "val" else split}.txt',
            label_file='label.txt',
            data_root=data_root,
            **kwargs)

    def load_data_list(self) -> List[dict]:
        data_list = super().load_data_list()
        if self.split == 'test' or self.num_val == 0:
            return data_list
        if len(data_list) != self.num_train:
            raise ValueError(f'{self.ann_file} has {len(data_list)} scenes, '
                             f'expected num_train = {self.num_train}')
        cut = self.num_train - self.num_val
        return data_list[cut:] if self.split == 'val' else data_list[:cut]
