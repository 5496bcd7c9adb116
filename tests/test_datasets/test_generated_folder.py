"""generated_folder: umask permissions, abandoned temporaries cleaned, live
ones kept (through MultiGlyphs)."""
import os

from mlic.datasets import MultiGlyphs

SMALL = dict(num_train=24, num_test=12, image_size=64, seed=3)


def test_generated_folder_permissions_and_abandoned_temporaries(tmp_path):
    import socket
    import stat
    import subprocess
    import sys

    from mlic.datasets.generated_folder import OWNER_FILE

    # A generation killed part-way: its owner process no longer runs.
    dead = subprocess.run(
        [sys.executable, '-c', 'import os; print(os.getpid())'],
        capture_output=True,
        text=True)
    abandoned = tmp_path / '.multiglyphs-killed'
    abandoned.mkdir()
    (abandoned /
     OWNER_FILE).write_text(f'{socket.gethostname()} {int(dead.stdout)}\n')
    (abandoned / 'train').mkdir()
    live = tmp_path / '.multiglyphs-running'  # another rank, still working
    live.mkdir()
    (live / OWNER_FILE).write_text(f'{socket.gethostname()} {os.getpid()}\n')

    MultiGlyphs(data_root=str(tmp_path / 'g'), **SMALL)
    assert not abandoned.exists() and live.exists()
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE((tmp_path / 'g').stat().st_mode) == 0o777 & ~mask
    assert not (tmp_path / 'g' / OWNER_FILE).exists()
