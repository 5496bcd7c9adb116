"""The figures the docs quote for the quick start are the README's.

The README's quick-start table is the one source; a page that quotes the
quick start's mAP in the same sentence as the words "quick start" must
give the same number at the precision it writes.
"""
import glob
import os.path as osp
import re

import pytest

from ..test_tools.helpers import REPO_ROOT

PAGES = [
    'docs/*.md', 'configs/*/README.md', 'benchmarks/*/README.md',
    'model-zoo.md', 'tests/README.md'
]
QUICK_START = re.compile(r'quick[- ]start', re.I)
MAP_FIGURE = re.compile(r'(\d+(?:\.\d+)?)[ -]?(?:test )?mAP\b')


def read(page: str) -> str:
    with open(osp.join(REPO_ROOT, page), encoding='utf-8') as f:
        return f.read()


def quick_start_table(readme: str) -> dict:
    """config path -> mAP (str, as written) of the README's table."""
    section = readme.split('### What the quick start gives', 1)[1]
    section = section.split('\n## ', 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip('|').split('|')]
        if len(cells) > 3 and cells[1].startswith('`configs/'):
            rows[cells[1].strip('`')] = cells[2].strip('*')
    return rows


def same_at_precision(quoted: str, source: str) -> bool:
    decimals = len(quoted.split('.')[1]) if '.' in quoted else 0
    return f'{float(source):.{decimals}f}' == quoted


def sentences(text: str):
    """Sentences of a page, line breaks removed (code blocks kept, they
    quote no figures); a table row or a heading is a sentence of its own,
    so that a table does not run into the paragraph around it."""
    out = []
    for block in re.split(r'\n\s*\n|\n(?=\s*[|#])|(?<=\|)\n', text):
        flat = ' '.join(block.split())
        if flat:
            out += re.split(r'(?<=[.!?])\s+(?=[A-Z`(\[])', flat)
    return out


@pytest.fixture(scope='module')
def table():
    rows = quick_start_table(read('README.md'))
    assert set(rows) == {
        'configs/mlic/mlic_singleglyphs-pre_multiglyphs-tuned-10e.py',
        'configs/baseline/'
        'resnet18_gap_linear_singleglyphs-pre_multiglyphs-tuned-10e.py'
    }, rows
    for value in rows.values():
        float(value)
    return rows


def doc_pages():
    pages = []
    for pattern in PAGES:
        pages += sorted(glob.glob(osp.join(REPO_ROOT, pattern)))
    return [osp.relpath(path, REPO_ROOT) for path in pages]


def test_sentences_about_the_quick_start_quote_its_figure(table):
    mlic = table['configs/mlic/mlic_singleglyphs-pre_multiglyphs-tuned-10e.py']
    baseline = table[
        'configs/baseline/'
        'resnet18_gap_linear_singleglyphs-pre_multiglyphs-tuned-10e.py']
    wrong, checked = [], 0
    for page in doc_pages():
        for sentence in sentences(read(page)):
            if not QUICK_START.search(sentence):
                continue
            for quoted in MAP_FIGURE.findall(sentence):
                checked += 1
                source = baseline if 'baseline' in sentence.lower() \
                    else mlic
                if not same_at_precision(quoted, source):
                    wrong.append(f'{page}: {quoted} mAP, README: {source} '
                                 f'in "{sentence[:120]}..."')
    assert wrong == []
    # docs/inference.md quotes it: the check above has read something
    assert checked >= 1


def test_the_check_catches_a_stale_figure():
    assert not same_at_precision('41', '36.39')
    assert same_at_precision('36', '36.39')
    assert same_at_precision('36.4', '36.39')
    text = 'With the quick start\'s model (seed 0, 41 test mAP) it prints.'
    found = [
        MAP_FIGURE.findall(s) for s in sentences(text) if QUICK_START.search(s)
    ]
    assert found == [['41']]
    # a table is not one sentence with the paragraph before it
    text = ('The quick start is fast\n\n| model | result |\n| --- | --- |\n'
            '| other | 61.2 mAP |\n')
    found = [
        MAP_FIGURE.findall(s) for s in sentences(text) if QUICK_START.search(s)
    ]
    assert found == [[]]
