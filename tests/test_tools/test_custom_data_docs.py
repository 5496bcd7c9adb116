"""Runs docs/datasets.md's "Your own data": list files in the page's
format, images of mixed sizes, the page's config, its train and test
commands, and browse_dataset.py to see that every image is fed at the
model's size."""
import os.path as osp
import re

import cv2
import numpy as np

from .helpers import (REPO_ROOT, loader_options, run_page_commands, run_shell,
                      write_page_file)

PAGE = osp.join(REPO_ROOT, 'docs', 'datasets.md')


def test_the_custom_data_section_works_as_written(tmp_path):
    text = open(PAGE).read()
    section = text[text.index('## Your own data'):text.
                   index('## MultiGlyphs: the embedded benchmark')]
    example = re.search(r'```text\n(.*?)```', section, re.S).group(1)
    lines = example.splitlines()
    assert lines == ['images/0001.jpg\tcat,sofa', 'images/0002.jpg\tdog']
    name, body = re.search(r'```python\n# file: (\S+)\n(.*?)```', section,
                           re.S).groups()
    assert name == 'my_data_mlic.py'
    write_page_file(tmp_path, name, body)

    # the page's format, more images, sizes from 40 x 56 to 120 x 90
    data = tmp_path / 'my_data'
    (data / 'images').mkdir(parents=True)
    (data / 'labels.txt').write_text('cat\ndog\nsofa\n')
    rng = np.random.default_rng(0)
    sizes = [(40, 56), (64, 64), (120, 90), (72, 96)]
    label_sets = ['cat,sofa', 'dog', 'cat', 'dog,sofa']
    rows = []
    for i in range(8):
        h, w = sizes[i % 4]
        path = f'images/{i:04d}.jpg'
        cv2.imwrite(
            str(data / path), rng.integers(0, 255, (h, w, 3), np.uint8))
        rows.append(f'{path}\t{label_sets[i % 4]}')
    (data / 'train.txt').write_text('\n'.join(rows) + '\n')
    (data / 'test.txt').write_text('\n'.join(rows[:4]) + '\n')

    commands = re.findall(r'```bash\n(.*?)```', section, re.S)[0]
    commands = [c for c in commands.strip().splitlines()]
    assert [c.split()[1] for c in commands
            ] == ['{REPO}/tools/train.py', '{REPO}/tools/test.py']
    # batches of 4, no loader workers; the page's 10 epochs stay
    options = [
        o for o in loader_options(batch=4) if 'num_workers' in o
        or 'persistent' in o or 'batch_size' in o or 'interval' in o
    ]
    outputs = run_page_commands(commands, tmp_path, options)
    assert 'loss' in outputs[0]
    assert re.search(r'multi-label/mAP: \d', outputs[1]), outputs[1][-2000:]

    code, out = run_shell(
        f'python {REPO_ROOT}/tools/misc/browse_dataset.py my_data_mlic.py '
        '--num 4 --output-dir browse',
        cwd=str(tmp_path))
    assert code == 0, out[-2000:]
    shapes = {
        cv2.imread(str(tmp_path / 'browse' / f'{i:04d}.png')).shape[:2]
        for i in range(4)
    }
    # every image resized to 64 x 64 before the labels are drawn (drawing
    # enlarges anything narrower than 256 px to 256)
    assert len(shapes) == 1, shapes
