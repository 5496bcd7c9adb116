"""VOC2007 from its raw layout: difficult rules and named errors."""
import os.path as osp

import pytest

from .raw_trees import build, make_voc, samples


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
