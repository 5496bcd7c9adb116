"""atomic_write: a failed write keeps the old file and leaves no temporary."""
import errno
import os
import stat

import pytest

from mlic.utils.fileio import atomic_write


def test_atomic_write_failure_keeps_the_old_file(tmp_path):
    target = tmp_path / 'epoch_1.pth'
    atomic_write(str(target), lambda f: f.write(b'old checkpoint'))

    def disk_full(f):
        f.write(b'half of the new')
        raise OSError(errno.ENOSPC, 'No space left on device')

    with pytest.raises(OSError, match='could not write .*epoch_1.pth'):
        atomic_write(str(target), disk_full)
    assert target.read_bytes() == b'old checkpoint'
    assert os.listdir(tmp_path) == ['epoch_1.pth']  # no temporary left
    # The user's umask decides the mode, as for a plain open().
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask
