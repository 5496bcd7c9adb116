"""``mlic-train`` and ``mlic-test``: ``tools/train.py`` and ``tools/test.py``
for an installed mlic, from any directory.

They run the tool scripts that ship with the package (``mlic/.mim/tools``,
or ``tools/`` of a source checkout) with the same arguments, except that a
config path that does not exist where you are is looked up among the
shipped configs, so ``mlic-train configs/mlic/mlic_multiglyphs.py`` works
anywhere. Work dirs and data roots stay relative to where you are, as with
the scripts.
"""
import os.path as osp
import runpy
import sys

from mlic.utils.package_files import find_config, package_files_root


def _run_tool(name: str) -> None:
    script = osp.join(package_files_root(), 'tools', name)
    args = sys.argv[1:]
    if args and not args[0].startswith('-'):
        args[0] = find_config(args[0])
    sys.argv = [script, *args]
    runpy.run_path(script, run_name='__main__')


def train() -> None:
    """``mlic-train CONFIG [tools/train.py options]``."""
    _run_tool('train.py')


def test() -> None:
    """``mlic-test CONFIG CHECKPOINT [tools/test.py options]``."""
    _run_tool('test.py')
