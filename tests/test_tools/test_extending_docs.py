"""Runs docs/extending.md: writes its files, then its training command."""
import os
import os.path as osp
import re

from mlic.utils import safe_torch_load
from .helpers import REPO_ROOT, run_tool, tiny_multidigits_options

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
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body.replace('{REPO}', REPO_ROOT))
    (tmp_path / 'my_mlic_ext' / '__init__.py').write_text('')

    command = re.search(r'```bash\n(PYTHONPATH=\$PWD python .*?)\n```',
                        text).group(1)
    assert '{REPO}/tools/train.py max_pool_multidigits.py' in command
    work = tmp_path / 'work_dirs' / 'max_pool'
    code, out = run_tool(
        [
            osp.join(REPO_ROOT, 'tools', 'train.py'),
            str(tmp_path / 'max_pool_multidigits.py'), '--work-dir',
            str(work), '--cfg-options'
        ] + tiny_multidigits_options(
            str(tmp_path / 'data'), epochs=1, num_train=32, num_test=16),
        cwd=str(tmp_path),
        env=dict(PYTHONPATH=os.pathsep.join([str(tmp_path), REPO_ROOT])))
    assert code == 0, out[-3000:]
    assert 'multi-label/mAP' in out
    ckpt = safe_torch_load(str(work / 'epoch_1.pth'))
    assert 'head.fc.weight' in ckpt['state_dict']
