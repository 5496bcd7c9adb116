"""MSCOCO from its raw layout: label order, dropping, named errors, BOM."""
import json
import os.path as osp

import pytest

from .raw_trees import build, make_coco, samples


def test_mscoco_labels_order_and_dropping(tmp_path):
    root = make_coco(str(tmp_path))
    for split, folder in (('train', 'train2014'), ('test', 'val2014')):
        ds = build('MSCOCO', root, split=split)
        assert list(
            ds.metainfo['classes']) == ['person', 'bicycle', 'airplane']
        got = samples(ds)
        # image 11 has no annotation: dropped; crowd annotations count
        assert [s['gt_label'] for s in got] == [[0, 2], [1]]
        assert got[0]['img_path'] == osp.join(
            root, folder, f'COCO_{folder}_000000000010.jpg')


def test_mscoco_bad_json_is_named(tmp_path):
    root = make_coco(str(tmp_path))
    path = osp.join(root, 'annotations', 'instances_val2014.json')
    with open(path, 'w') as f:
        f.write('{"images": [\n  {"id": 1,}\n]}')
    with pytest.raises(
            ValueError, match=r'instances_val2014.json, line 2, column \d+'):
        build('MSCOCO', root, split='test')
    data = json.load(
        open(osp.join(root, 'annotations', 'instances_train2014.json')))
    data['annotations'].append(dict(id=99, image_id=10, category_id=77))
    json.dump(data, open(path, 'w'))
    with pytest.raises(ValueError, match='annotation 99 has category_id 77'):
        build('MSCOCO', root, split='test')


@pytest.mark.parametrize('edit,message', [
    (lambda d: d['categories'].append(dict(id=2, name='boat')),
     "category id 2 appears more than once"),
    (lambda d: d['categories'].append(dict(id=9, name='person')),
     "category name 'person' appears more than once"),
    (lambda d: d['images'].append(dict(id=10, file_name='again.jpg')),
     "image id 10 appears more than once"),
    (lambda d: d['annotations'].append(
        dict(id=50, image_id=404, category_id=1)),
     "annotation 50 has image_id 404 which is not in its images list"),
    (lambda d: d.update(categories=[]), "the 'categories' list is empty"),
    (lambda d: d.update(images=[]), "the 'images' list is empty"),
])
def test_mscoco_mislabelling_input_is_refused(tmp_path, edit, message):
    root = make_coco(str(tmp_path))
    path = osp.join(root, 'annotations', 'instances_val2014.json')
    data = json.load(open(path))
    edit(data)
    json.dump(data, open(path, 'w'))
    with pytest.raises(ValueError, match=f'instances_val2014.json: {message}'):
        build('MSCOCO', root, split='test')


def test_mscoco_json_with_a_byte_order_mark_loads(tmp_path):
    root = make_coco(str(tmp_path))
    path = osp.join(root, 'annotations', 'instances_val2014.json')
    with open(path, 'rb') as f:
        data = f.read()
    with open(path, 'wb') as f:
        f.write(b'\xef\xbb\xbf' + data)
    assert len(build('MSCOCO', root, split='test')) == 2


def test_mscoco_2017_layout_with_the_same_rules(tmp_path):
    root = make_coco(str(tmp_path), year=2017)
    train = build('MSCOCO', root, split='train', year=2017)
    test = build('MSCOCO', root, split='test', year=2017)
    got = [(s['img_path'].split('/')[-2], s['gt_label'])
           for s in samples(train)]
    assert got == [('train2017', [0, 2]), ('train2017', [1])]
    assert samples(test)[0]['img_path'].split('/')[-2] == 'val2017'
    assert list(train.metainfo['classes']) == ['person', 'bicycle', 'airplane']
    with pytest.raises(ValueError, match='year must be one of'):
        build('MSCOCO', root, split='train', year=2015)
    # the 2014 files are not there: the error names the 2014 path
    with pytest.raises(FileNotFoundError, match='instances_train2014.json'):
        build('MSCOCO', root, split='train')
