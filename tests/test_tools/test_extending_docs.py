"""Runs docs/extending.md: writes its files, then its train and test
commands."""
import os.path as osp
import re

import cv2

from mlic.utils import safe_torch_load
from .helpers import (REPO_ROOT, run_page_commands, tiny_multidigits_options,
                      write_page_file)

PAGE = osp.join(REPO_ROOT, 'docs', 'extending.md')
BLOCK = re.compile(r'```python\n# file: (\S+)\n(.*?)```', re.S)


def test_the_extending_page_works_as_written(tmp_path):
    text = open(PAGE).read()
    files = BLOCK.findall(text)
    assert [name for name, _ in files] == [
        'my_mlic_ext/soft_margin_loss.py', 'my_mlic_ext/max_pool_head.py',
        'max_pool_multidigits.py'
    ]
    for name, body in files:
        write_page_file(tmp_path, name, body)
    (tmp_path / 'my_mlic_ext' / '__init__.py').write_text('')

    commands = re.findall(r'```bash\n(PYTHONPATH=\$PWD python .*?)\n```', text)
    assert [c.split()[2] for c in commands] == [
        '{REPO}/tools/train.py', '{REPO}/tools/test.py',
        '{REPO}/tools/visualization/vis_attention.py'
    ]
    # As written, from the folder holding the page's files, on a MultiDigits
    # of 32 + 16 scenes (its 10 epochs stay, so epoch_10.pth exists).
    options = tiny_multidigits_options(
        str(tmp_path / 'data'), epochs=10, num_train=32, num_test=16)
    train_log, test_log, maps_log = run_page_commands(commands, tmp_path,
                                                      options)
    assert 'loss' in train_log and 'multi-label/mAP' in train_log
    assert re.search(r'multi-label/mAP: \d', test_log), test_log[-2000:]
    work = tmp_path / 'work_dirs' / 'max_pool'
    ckpt = safe_torch_load(str(work / 'epoch_10.pth'))
    assert 'head.fc.weight' in ckpt['state_dict']
    # the page's head gets class activation maps from its fc
    assert 'wrote max_pool_maps.png (class activation map)' in maps_log
    drawn = cv2.imread(str(tmp_path / 'max_pool_maps.png'))
    assert drawn is not None and drawn.std() > 5
