"""Miniature copies of the four benchmark layouts (datasets.md), with real
file formats: XML, JSON, the NUS-WIDE text files with backslash paths, and
small JPEGs; ``build`` and ``samples`` read a dataset back."""
import json
import os
import os.path as osp

import cv2
import numpy as np

from mlic.registry import DATASETS


def write_jpeg(path, seed=0, size=(24, 32)):
    os.makedirs(osp.dirname(path), exist_ok=True)
    rng = np.random.default_rng(seed)
    cv2.imwrite(path, rng.integers(0, 255, (*size, 3), dtype=np.uint8))


def voc_xml(objects):
    body = ''.join(
        f'<object><name>{name}</name><difficult>{int(diff)}</difficult>'
        '<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax>'
        '</bndbox></object>' for name, diff in objects)
    return f'<annotation><folder>VOC2007</folder>{body}</annotation>'


def make_voc(root):
    anns = {
        '000001': [('dog', 0), ('person', 1)],
        '000002': [('Cat', 0), ('cat', 1), ('chair', 1), ('chair', 1)],
        '000003': [('aeroplane', 0)],
        '000004': [('bird', 1)],
    }
    for img_id, objects in anns.items():
        path = osp.join(root, 'Annotations', f'{img_id}.xml')
        os.makedirs(osp.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            f.write(voc_xml(objects))
        write_jpeg(osp.join(root, 'JPEGImages', f'{img_id}.jpg'))
    sets = osp.join(root, 'ImageSets', 'Main')
    os.makedirs(sets, exist_ok=True)
    with open(osp.join(sets, 'trainval.txt'), 'w') as f:
        f.write('000001\n000002\n000004\n')
    with open(osp.join(sets, 'test.txt'), 'w') as f:
        f.write('000001\n000002\n000003\n')
    return root


def make_coco(root, year=2014):
    categories = [
        dict(id=1, name='person'),
        dict(id=2, name='bicycle'),
        dict(id=5, name='airplane'),
    ]
    for split in (f'train{year}', f'val{year}'):
        images = [
            dict(id=10, file_name=f'COCO_{split}_000000000010.jpg'),
            dict(id=11, file_name=f'COCO_{split}_000000000011.jpg'),
            dict(id=12, file_name=f'COCO_{split}_000000000012.jpg'),
        ]
        annotations = [
            dict(id=1, image_id=10, category_id=5, iscrowd=0),
            dict(id=2, image_id=10, category_id=1, iscrowd=1),
            dict(id=3, image_id=10, category_id=5, iscrowd=0),
            dict(id=4, image_id=12, category_id=2, iscrowd=0),
        ]
        path = osp.join(root, 'annotations', f'instances_{split}.json')
        os.makedirs(osp.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            json.dump(
                dict(
                    images=images,
                    annotations=annotations,
                    categories=categories),
                f,
                indent=1)
        for img in images:
            write_jpeg(osp.join(root, split, img['file_name']))
    return root


NUS_CONCEPTS = ['animal', 'beach', 'sky']
NUS_IMAGES = [
    ('actor\\0001_1.jpg', [1, 0, 1]),
    ('actor\\0002_2.jpg', [0, 0, 0]),  # no label: dropped
    ('beach\\0003_3.jpg', [0, 1, 0]),
    ('beach\\0004_4.jpg', [1, 1, 1]),
    ('sky\\0005_5.jpg', [0, 0, 1]),
]


def make_nuswide(root, missing=()):
    with open(osp.join(root, 'Concepts81.txt'), 'w') as f:
        f.write('\n'.join(NUS_CONCEPTS) + '\n')
    lists = osp.join(root, 'ImageList')
    os.makedirs(lists, exist_ok=True)
    paths = [p for p, _ in NUS_IMAGES]
    with open(osp.join(lists, 'Imagelist.txt'), 'w', newline='') as f:
        f.write('\r\n'.join(paths) + '\r\n')
    with open(osp.join(lists, 'TrainImagelist.txt'), 'w') as f:
        f.write('\n'.join([paths[0], paths[1], paths[3]]) + '\n')
    with open(osp.join(lists, 'TestImagelist.txt'), 'w') as f:
        f.write('\n'.join([paths[2], paths[4]]) + '\n')
    labels = osp.join(root, 'Groundtruth', 'AllLabels')
    os.makedirs(labels, exist_ok=True)
    for c, concept in enumerate(NUS_CONCEPTS):
        with open(osp.join(labels, f'Labels_{concept}.txt'), 'w') as f:
            f.write(''.join(f'{lab[c]} \n' for _, lab in NUS_IMAGES))
    for i, path in enumerate(paths):
        if path not in missing:
            write_jpeg(osp.join(root, 'Flickr', *path.split('\\')), seed=i)
    os.makedirs(osp.join(root, 'NUS_WID_Tags'), exist_ok=True)
    return root


def make_vg500(root):
    part = osp.join(root, 'ssgrl_partition')
    os.makedirs(part, exist_ok=True)
    with open(osp.join(part, 'train_list_500.txt'), 'w') as f:
        f.write('1.jpg\n2.jpg\n')
    with open(osp.join(part, 'test_list_500.txt'), 'w') as f:
        f.write('3.jpg\n')
    with open(osp.join(part, 'vg_category_500_labels_index.json'), 'w') as f:
        json.dump({'1.jpg': [499, 3, 3], '2.jpg': [0], '3.jpg': [7, 1]}, f)
    write_jpeg(osp.join(root, 'VG_100K', '1.jpg'))
    write_jpeg(osp.join(root, 'VG_100K_2', '2.jpg'))
    write_jpeg(osp.join(root, 'VG_100K_2', '3.jpg'))
    write_jpeg(osp.join(root, 'VG_100K', '3.jpg'), seed=1)  # VG_100K wins
    return root


def build(type_, root, **kwargs):
    return DATASETS.build(dict(type=type_, data_root=str(root), **kwargs))


def samples(ds):
    return [ds.get_data_info(i) for i in range(len(ds))]
