"""atomic_write: a failed write keeps the old file and leaves no temporary;
replace_marked_section: only the marked part of a page changes."""
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


def test_replace_marked_section_keeps_the_rest_of_the_page(tmp_path):
    from mlic.utils import replace_marked_section
    page = tmp_path / 'page.md'
    page.write_text('intro\n<!-- t:a -->\nold\n<!-- /t -->\n'
                    'middle\n<!-- t:b -->\nkept\n<!-- /t -->\nend\n')
    replace_marked_section(
        str(page), '<!-- t:a -->', '<!-- /t -->', '| new |\n\n| table |\n')
    assert page.read_text() == (
        'intro\n<!-- t:a -->\n| new |\n\n| table |\n<!-- /t -->\n'
        'middle\n<!-- t:b -->\nkept\n<!-- /t -->\nend\n')
    before = page.read_text()
    with pytest.raises(ValueError, match=r'page\.md has 0 "<!-- t:c -->"'):
        replace_marked_section(str(page), '<!-- t:c -->', '<!-- /t -->', 'x')
    page.write_text(before + '<!-- t:a -->\n')
    with pytest.raises(ValueError, match='has 2 "<!-- t:a -->" markers'):
        replace_marked_section(str(page), '<!-- t:a -->', '<!-- /t -->', 'x')
    page.write_text('<!-- t:a -->\nno end\n')
    with pytest.raises(ValueError, match='not closed by "<!-- /t -->"'):
        replace_marked_section(str(page), '<!-- t:a -->', '<!-- /t -->', 'x')
    assert page.read_text() == '<!-- t:a -->\nno end\n'  # left as it was


def test_read_marked_section_gives_what_replace_wrote(tmp_path):
    """read_marked_section returns the text replace_marked_section put
    between the markers, and refuses a page without them as it does."""
    from mlic.utils import read_marked_section, replace_marked_section
    page = tmp_path / 'page.md'
    page.write_text('intro\n<!-- t:a -->\nold\n<!-- /t -->\nend\n')
    assert read_marked_section(str(page), '<!-- t:a -->',
                               '<!-- /t -->') == 'old\n'
    replace_marked_section(
        str(page), '<!-- t:a -->', '<!-- /t -->', 'As of now:\n\n| table |')
    assert read_marked_section(str(page), '<!-- t:a -->',
                               '<!-- /t -->') == 'As of now:\n\n| table |\n'
    with pytest.raises(ValueError, match=r'page\.md has 0 "<!-- t:c -->"'):
        read_marked_section(str(page), '<!-- t:c -->', '<!-- /t -->')
    page.write_text('<!-- t:a -->\nno end\n')
    with pytest.raises(ValueError, match='not closed by "<!-- /t -->"'):
        read_marked_section(str(page), '<!-- t:a -->', '<!-- /t -->')
