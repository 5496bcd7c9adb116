import json
import os.path as osp

import pytest

from mlic.registry import DATASETS
from .raw_trees import make_coco, make_nuswide, make_vg500, make_voc


def build(type_, root, **kwargs):
    return DATASETS.build(dict(type=type_, data_root=str(root), **kwargs))


def samples(ds):
    return [ds.get_data_info(i) for i in range(len(ds))]


def test_voc2007_difficult_rules(tmp_path):
    root = make_voc(str(tmp_path))
    train = build('VOC2007', root, split='trainval')
    classes = train.metainfo['classes']
    assert classes[0] == 'aeroplane' and classes[-1] == 'tvmonitor'
    idx = {c: i for i, c in enumerate(classes)}
    got = [(osp.basename(s['img_path']), s['gt_label'])
           for s in samples(train)]
    assert got == [('000001.jpg', [idx['dog']]), ('000002.jpg', [idx['cat']]),
                   ('000004.jpg', [])]
    assert 'gt_label_difficult' not in train.get_data_info(0)

    test = build('VOC2007', root, split='test')
    s = samples(test)
    assert s[0]['gt_label'] == [idx['dog']]
    assert s[0]['gt_label_difficult'] == [idx['person']]
    # cat has a non-difficult object: present, not ignored
    assert s[1]['gt_label'] == [idx['cat']]
    assert s[1]['gt_label_difficult'] == [idx['chair']]
    assert s[0]['img_path'] == osp.join(root, 'JPEGImages', '000001.jpg')


def test_voc2007_bad_files_are_named(tmp_path):
    root = make_voc(str(tmp_path))
    bad = osp.join(root, 'Annotations', '000002.xml')
    with open(bad, 'w') as f:
        f.write('<annotation>\n<object><name>dog</name>\n</annotation>')
    with pytest.raises(
            ValueError, match=r'000002.xml, line 3, column \d+: '
            r'malformed XML'):
        build('VOC2007', root, split='test')
    with open(bad, 'w') as f:
        f.write('<annotation><object><name>unicorn</name></object>'
                '</annotation>')
    with pytest.raises(ValueError, match="000002.xml: object name 'unicorn'"):
        build('VOC2007', root, split='test')
    with pytest.raises(FileNotFoundError, match='ImageSets/Main/test.txt'):
        build('VOC2007', str(tmp_path / 'nowhere'), split='test')


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


def test_nuswide_lists_labels_and_paths(tmp_path):
    root = make_nuswide(str(tmp_path))
    train = build('NUSWIDE', root, split='train')
    assert list(train.metainfo['classes']) == ['animal', 'beach', 'sky']
    got = samples(train)
    assert [s['gt_label'] for s in got] == [[0, 2], [0, 1, 2]]
    assert got[0]['img_path'] == osp.join(root, 'Flickr', 'actor',
                                          '0001_1.jpg')
    test = build('NUSWIDE', root, split='test')
    assert [s['gt_label'] for s in samples(test)] == [[1], [2]]


def test_nuswide_missing_images_error_or_skip(tmp_path):
    root = make_nuswide(str(tmp_path), missing=('beach\\0004_4.jpg', ))
    with pytest.raises(
            FileNotFoundError,
            match=r'1 image\(s\) .* missing, first .*0004_4.jpg'):
        build('NUSWIDE', root, split='train')
    ds = build('NUSWIDE', root, split='train', missing_images='skip')
    assert ds.num_skipped == 1
    assert [s['gt_label'] for s in samples(ds)] == [[0, 2]]


def test_nuswide_bad_label_line_is_named(tmp_path):
    root = make_nuswide(str(tmp_path))
    path = osp.join(root, 'Groundtruth', 'AllLabels', 'Labels_beach.txt')
    with open(path, 'w') as f:
        f.write('0\n0\n1\n2\n0\n')
    with pytest.raises(
            ValueError, match=r"Labels_beach.txt, line 4: expected 0 or 1"):
        build('NUSWIDE', root, split='train')
    with open(path, 'w') as f:
        f.write('0\n0\n1\n')
    with pytest.raises(ValueError, match='has 3 lines, expected 5'):
        build('NUSWIDE', root, split='train')


def test_vg500_lookup_order_and_errors(tmp_path):
    root = make_vg500(str(tmp_path))
    train = build('VG500', root, split='train')
    assert len(train.metainfo['classes']) == 500
    got = samples(train)
    assert [s['gt_label'] for s in got] == [[3, 499], [0]]
    assert got[0]['img_path'] == osp.join(root, 'VG_100K', '1.jpg')
    assert got[1]['img_path'] == osp.join(root, 'VG_100K_2', '2.jpg')
    test = build('VG500', root, split='test')
    assert test.get_data_info(0)['img_path'] == osp.join(
        root, 'VG_100K', '3.jpg')

    with open(osp.join(root, 'ssgrl_partition', 'test_list_500.txt'),
              'w') as f:
        f.write('3.jpg\n4.jpg\n')
    with pytest.raises(KeyError, match="line 2: '4.jpg' has no entry"):
        build('VG500', root, split='test')


def test_dataset_arguments_keep_working(tmp_path):
    root = make_coco(str(tmp_path))
    ds = build(
        'MSCOCO',
        root,
        split='train',
        indices=1,
        lazy_init=False,
        serialize_data=False)
    assert len(ds) == 1
    lazy = build(
        'VOC2007',
        make_voc(str(tmp_path / 'voc')),
        split='test',
        lazy_init=True)
    assert len(lazy) == 3


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


def test_voc2007_difficult_spelled_true_false(tmp_path):
    root = make_voc(str(tmp_path))
    path = osp.join(root, 'Annotations', '000001.xml')
    with open(path) as f:
        text = f.read()
    with open(path, 'w') as f:
        f.write(
            text.replace('<difficult>1</difficult>',
                         '<difficult>true</difficult>').replace(
                             '<difficult>0</difficult>',
                             '<difficult>False</difficult>'))
    test = build('VOC2007', root, split='test')
    idx = {c: i for i, c in enumerate(test.metainfo['classes'])}
    first = test.get_data_info(0)
    assert first['gt_label'] == [idx['dog']]
    assert first['gt_label_difficult'] == [idx['person']]
    with open(path, 'w') as f:
        f.write(
            text.replace('<difficult>1</difficult>',
                         '<difficult>yes</difficult>'))
    with pytest.raises(
            ValueError,
            match=r"000001.xml: <difficult>yes"
            r"</difficult> of object 'person'"):
        build('VOC2007', root, split='test')


def test_nuswide_files_with_a_byte_order_mark_load(tmp_path):
    root = make_nuswide(str(tmp_path))
    before = samples(build('NUSWIDE', root, split='train'))
    for rel in (('Groundtruth', 'AllLabels', 'Labels_beach.txt'),
                ('Concepts81.txt', ), ('ImageList', 'Imagelist.txt')):
        path = osp.join(root, *rel)
        if not osp.isfile(path):
            continue
        with open(path, 'rb') as f:
            data = f.read()
        with open(path, 'wb') as f:
            f.write(b'\xef\xbb\xbf' + data)
    assert samples(build('NUSWIDE', root, split='train')) == before


@pytest.mark.parametrize('type_,allowed',
                         [('MSCOCO', "'train' or 'test'"),
                          ('VOC2007', "'trainval' or 'test'"),
                          ('NUSWIDE', "'train' or 'test'"),
                          ('VG500', "'train' or 'test'"),
                          ('MultiDigits', "'train' or 'test'"),
                          ('MultiGlyphs', "'train' or 'test'")])
def test_unknown_split_is_named(tmp_path, type_, allowed):
    with pytest.raises(
            ValueError, match=f"{type_} split must be {allowed}, got 'val'"):
        build(type_, tmp_path / 'never_generated', split='val')
    assert not (tmp_path / 'never_generated').exists()
