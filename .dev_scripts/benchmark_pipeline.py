"""Training-pipeline images/s of one data worker: mlic vs the reference.

    python .dev_scripts/benchmark_pipeline.py [--num-images 200]
        [--size 448] [--workdir DIR]

Writes COCO-sized JPEGs (640 x 480, smooth content with shapes, about the
size of COCO files), then runs each pipeline over them in this process on
one thread, as one DataLoader worker would:

- mlic: CheckedLoadImageFromFile (OpenCV) -> Resize -> RandomFlip ->
  RandomColorCutout -> ReferenceRandAugment -> PackInputs (normalisation
  is done per batch by the model's data preprocessor, on the GPU);
- reference: PIL open + RGB -> torchvision Resize -> RandomHorizontalFlip
  -> PIL Cutout -> PIL RandAugment (the 15 operations of the
  ``randaugment`` package, which no longer imports on numpy >= 1.24, so they
  are written here with PIL as it does) -> ToTensor -> Normalize.
"""
import argparse
import os
import os.path as osp
import random
import time

os.environ.setdefault('OMP_NUM_THREADS', '1')

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image, ImageDraw, ImageEnhance, ImageOps  # noqa: E402
from torchvision import transforms as T  # noqa: E402

from mlic.registry import TRANSFORMS  # noqa: E402


def write_images(folder, num, seed=0):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    paths = []
    yy, xx = np.mgrid[0:480, 0:640]
    for i in range(num):
        path = osp.join(folder, f'{i:06d}.jpg')
        paths.append(path)
        if osp.isfile(path):
            continue
        base = np.stack([(np.sin(xx / rng.uniform(20, 80) + c) * 60 + 128 +
                          np.cos(yy / rng.uniform(20, 80)) * 40)
                         for c in range(3)], -1)
        img = np.clip(base + rng.normal(0, 12, base.shape), 0, 255)
        img = img.astype(np.uint8)
        for _ in range(12):
            cv2.circle(img, tuple(int(v) for v in rng.integers(0, 640, 2)),
                       int(rng.integers(10, 90)),
                       tuple(int(v) for v in rng.integers(0, 255, 3)), -1)
        cv2.imwrite(path, img, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return paths


# ---- the reference pipeline, PIL-based ------------------------------------
def _lv(a, b, level):
    return np.linspace(a, b, 10)[level]


def _sign(v):
    return v * random.choice([-1, 1])


def _affine(img, matrix):
    return img.transform(
        img.size, Image.AFFINE, matrix, fillcolor=(128, 128, 128))


def _pil_cutout(img, level):
    side = int(round(_lv(0, 20, level)))
    img = img.copy()
    w, h = img.size
    cx, cy = random.randint(0, w - 1), random.randint(0, h - 1)
    ImageDraw.Draw(img).rectangle(
        [cx - side // 2, cy - side // 2, cx + side // 2, cy + side // 2],
        fill=(128, 128, 128))
    return img


PIL_OPS = {
    'Invert':
    lambda img, level: ImageOps.invert(img),
    'Cutout':
    _pil_cutout,
    'Sharpness':
    lambda img, level: ImageEnhance.Sharpness(img).enhance(1 + _sign(
        _lv(0, 0.9, level))),
    'AutoContrast':
    lambda img, level: ImageOps.autocontrast(img),
    'Posterize':
    lambda img, level: ImageOps.posterize(img, int(round(_lv(8, 4, level)))),
    'ShearX':
    lambda img, level: _affine(img,
                               (1, _sign(_lv(0, 0.3, level)), 0, 0, 1, 0)),
    'ShearY':
    lambda img, level: _affine(img,
                               (1, 0, 0, _sign(_lv(0, 0.3, level)), 1, 0)),
    'TranslateX':
    lambda img, level: _affine(img, (1, 0, _sign(_lv(0, 150 / 331, level)) *
                                     img.size[0], 0, 1, 0)),
    'TranslateY':
    lambda img, level: _affine(img, (
        1, 0, 0, 0, 1, _sign(_lv(0, 150 / 331, level)) * img.size[1])),
    'Rotate':
    lambda img, level: img.rotate(
        _lv(0, 30, level), fillcolor=(128, 128, 128)),
    'Equalize':
    lambda img, level: ImageOps.equalize(img),
    'Contrast':
    lambda img, level: ImageEnhance.Contrast(img).enhance(1 + _sign(
        _lv(0, 0.9, level))),
    'Color':
    lambda img, level: ImageEnhance.Color(img).enhance(1 + _sign(
        _lv(0, 0.9, level))),
    'Solarize':
    lambda img, level: ImageOps.solarize(img, _lv(256, 0, level)),
    'Brightness':
    lambda img, level: ImageEnhance.Brightness(img).enhance(1 + _sign(
        _lv(0, 0.9, level))),
}


class PILRandAugment:

    def __call__(self, img):
        names = list(PIL_OPS)
        for _ in range(2):
            name, level = random.choice(names), random.randint(1, 9)
            if random.random() < 0.5:
                img = PIL_OPS[name](img, level)
        return img


class PILCutout:

    def __call__(self, img):
        w, h = img.size
        side = int(0.5 * w + 0.5)
        cy, cx = np.random.randint(h), np.random.randint(w)
        y1, y2 = np.clip([cy - side // 2, cy + side // 2], 0, h)
        x1, x2 = np.clip([cx - side // 2, cx + side // 2], 0, w)
        img = img.copy()
        ImageDraw.Draw(img).rectangle(
            [int(x1), int(y1), int(x2), int(y2)],
            fill=tuple(random.randint(0, 255) for _ in range(3)))
        return img


def reference_pipeline(size):
    tf = T.Compose([
        T.Resize((size, size)),
        T.RandomHorizontalFlip(),
        PILCutout(),
        PILRandAugment(),
        T.ToTensor(),
        T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
    ])
    return lambda path: tf(Image.open(path).convert('RGB'))


def mlic_pipeline(size):
    steps = [
        TRANSFORMS.build(cfg) for cfg in (
            dict(type='CheckedLoadImageFromFile'),
            dict(type='Resize', scale=(size, size)),
            dict(type='RandomFlip', prob=0.5, direction='horizontal'),
            dict(type='RandomColorCutout', scale=0.5),
            dict(type='ReferenceRandAugment', num_ops=2, prob=0.5),
            dict(type='PackInputs'),
        )
    ]

    def run(path):
        results = dict(img_path=path)
        for step in steps:
            results = step(results)
        return results

    return run


def images_per_second(fn, paths, repeats):
    fn(paths[0])  # warm up
    start = time.perf_counter()
    for _ in range(repeats):
        for path in paths:
            fn(path)
    return repeats * len(paths) / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--num-images', type=int, default=200)
    parser.add_argument('--size', type=int, default=448)
    parser.add_argument('--repeats', type=int, default=2)
    parser.add_argument('--workdir', default='/tmp/mlic_pipeline_bench')
    args = parser.parse_args()
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    random.seed(0)
    np.random.seed(0)
    paths = write_images(args.workdir, args.num_images)
    kb = np.mean([osp.getsize(p) for p in paths]) / 1024
    ref = images_per_second(reference_pipeline(args.size), paths, args.repeats)
    ours = images_per_second(mlic_pipeline(args.size), paths, args.repeats)
    print(f'{len(paths)} JPEGs 640x480 (mean {kb:.0f} KB), {args.size} px, '
          f'one worker, one thread')
    print(f'{"reference (PIL)":>20}: {ref:7.1f} images/s')
    print(f'{"mlic (OpenCV)":>20}: {ours:7.1f} images/s')
    print(f'{"ratio":>20}: {ours / ref:7.2f}x')


if __name__ == '__main__':
    main()
