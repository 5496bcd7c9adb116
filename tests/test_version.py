"""The version: one PEP 440 string, the same for mlic and its metadata."""
import re

import mlic


def test_version_is_a_release_number():
    assert re.fullmatch(r'\d+\.\d+\.\d+(rc\d+)?', mlic.__version__)
