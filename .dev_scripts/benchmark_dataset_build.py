"""Time building the MSCOCO (train) and NUSWIDE (train) dataset objects on
files of the real sizes.

    python .dev_scripts/benchmark_dataset_build.py [--workdir DIR] [--scale S]

Writes, once, an ``instances_train2014.json`` with 82,783 images and
605,000 annotations carrying COCO's fields (polygons of about 40 points,
boxes, areas), and a NUS-WIDE tree with 269,648-line image lists, 81 label
files and 161,789 empty train image files; then builds each dataset object
(``lazy_init=False``) on one thread and prints the seconds. ``--scale``
(default 1) writes that fraction of every count instead, for a quick check
of the script (the tests use 0.05); the figures of record are at 1.
"""
import argparse
import json
import os
import os.path as osp
import time

os.environ.setdefault('OMP_NUM_THREADS', '1')

import numpy as np  # noqa: E402

from mlic.datasets import MSCOCO, NUSWIDE  # noqa: E402

# The real files' sizes (--scale 1).
COCO_IMAGES, COCO_ANNOTATIONS = 82783, 605000
NUSWIDE_IMAGES, NUSWIDE_TRAIN = 269648, 161789


def write_coco(root,
               num_images=COCO_IMAGES,
               num_anns=COCO_ANNOTATIONS,
               seed=0):
    path = osp.join(root, 'annotations', 'instances_train2014.json')
    if osp.isfile(path):
        return path
    rng = np.random.default_rng(seed)
    os.makedirs(osp.dirname(path), exist_ok=True)
    cat_ids = [
        i for i in range(1, 91)
        if i not in (12, 26, 29, 30, 45, 66, 68, 69, 71, 83)
    ]
    categories = [
        dict(supercategory='thing', id=i, name=f'category_{i}')
        for i in cat_ids
    ]
    images = [
        dict(
            license=1,
            file_name=f'COCO_train2014_{i:012d}.jpg',
            coco_url=f'http://images.example/train2014/{i:012d}.jpg',
            height=480,
            width=640,
            date_captured='2013-11-14 16:28:13',
            flickr_url=f'http://farm.example/{i}.jpg',
            id=i) for i in range(num_images)
    ]
    # Leave about 700 of 82,783 images without annotations, as in the real
    # file.
    unannotated = round(700 * num_images / COCO_IMAGES)
    image_ids = rng.integers(0, num_images - unannotated, num_anns)
    cats = rng.choice(cat_ids, num_anns)
    polygons = np.round(rng.random((num_anns, 80)) * 600, 2)
    with open(path, 'w') as f:
        f.write('{"info": {"description": "synthetic"}, "images": ')
        json.dump(images, f)
        f.write(', "annotations": [')
        for i in range(num_anns):
            if i:
                f.write(',')
            poly = polygons[i].tolist()
            json.dump(
                dict(
                    segmentation=[poly],
                    area=float(poly[0] * 10),
                    iscrowd=0,
                    image_id=int(image_ids[i]),
                    bbox=poly[:4],
                    category_id=int(cats[i]),
                    id=i), f)
        f.write('], "categories": ')
        json.dump(categories, f)
        f.write('}')
    return path


def write_nuswide(root,
                  num_images=NUSWIDE_IMAGES,
                  num_train=NUSWIDE_TRAIN,
                  seed=0):
    if osp.isfile(osp.join(root, 'Concepts81.txt')):
        return root
    rng = np.random.default_rng(seed)
    concepts = [f'concept{i}' for i in range(81)]
    folders = [f'folder{i}' for i in range(700)]
    paths = [
        f'{folders[i % 700]}\\{i:07d}_{i * 7}.jpg' for i in range(num_images)
    ]
    lists = osp.join(root, 'ImageList')
    os.makedirs(lists, exist_ok=True)
    with open(osp.join(root, 'Concepts81.txt'), 'w') as f:
        f.write('\n'.join(concepts) + '\n')
    with open(osp.join(lists, 'Imagelist.txt'), 'w') as f:
        f.write('\n'.join(paths) + '\n')
    order = rng.permutation(num_images)
    with open(osp.join(lists, 'TrainImagelist.txt'), 'w') as f:
        f.write('\n'.join(paths[i] for i in sorted(order[:num_train])) + '\n')
    with open(osp.join(lists, 'TestImagelist.txt'), 'w') as f:
        f.write('\n'.join(paths[i] for i in sorted(order[num_train:])) + '\n')
    labels = rng.random((num_images, 81)) < 0.03
    label_dir = osp.join(root, 'Groundtruth', 'AllLabels')
    os.makedirs(label_dir, exist_ok=True)
    for c, concept in enumerate(concepts):
        with open(osp.join(label_dir, f'Labels_{concept}.txt'), 'w') as f:
            f.write('\n'.join('1' if v else '0' for v in labels[:, c]) + '\n')
    for folder in folders:
        os.makedirs(osp.join(root, 'Flickr', folder), exist_ok=True)
    for i in sorted(order[:num_train]):
        open(osp.join(root, 'Flickr', *paths[i].split('\\')), 'w').close()
    return root


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--workdir', default='/tmp/mlic_dataset_bench')
    parser.add_argument(
        '--scale',
        type=float,
        default=1.0,
        help='fraction of the real files\' sizes (default 1)')
    args = parser.parse_args()
    if not 0 < args.scale <= 1:
        parser.error(f'--scale must be in (0, 1], not {args.scale}')
    # a scaled tree lives beside the full one, never mistaken for it
    suffix = '' if args.scale == 1 else f'_scale{args.scale:g}'
    coco_root = osp.join(args.workdir, 'MSCOCO' + suffix)
    nus_root = osp.join(args.workdir, 'NUS-WIDE' + suffix)
    print('writing the files (first run only) ...', flush=True)
    coco_json = write_coco(
        coco_root,
        num_images=round(COCO_IMAGES * args.scale),
        num_anns=round(COCO_ANNOTATIONS * args.scale))
    write_nuswide(
        nus_root,
        num_images=round(NUSWIDE_IMAGES * args.scale),
        num_train=round(NUSWIDE_TRAIN * args.scale))
    size_mb = osp.getsize(coco_json) / 2**20

    start = time.perf_counter()
    coco = MSCOCO(coco_root, split='train', lazy_init=False)
    t_coco = time.perf_counter() - start
    start = time.perf_counter()
    nus = NUSWIDE(nus_root, split='train', lazy_init=False)
    t_nus = time.perf_counter() - start
    print(f'MSCOCO train : {len(coco):6d} images, json {size_mb:.0f} MB, '
          f'built in {t_coco:.2f} s')
    print(f'NUSWIDE train: {len(nus):6d} images, built in {t_nus:.2f} s')


if __name__ == '__main__':
    main()
