"""The figures the docs quote are those of their sources.

The README's quick-start table is the one source; a page that quotes the
quick start's mAP in the same sentence as the words "quick start" must
give the same number at the precision it writes. And the hand-written
outcome of docs/benchmarks.md's amendment 2 quotes only figures of the
tables the protocol tool writes on that page.
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


#: A figure the prose quotes (two to four decimals); a sign counts only
#: where no digit precedes it, so "0.16-0.21" is a range of two figures.
PROSE_FIGURE = re.compile(r'(?:(?<![\d.])[-+])?\d+\.\d{2,4}(?![\d\w.])')
TABLE_NUMBER = re.compile(r'(?:(?<![\d.])[-+])?\d+\.\d+')
GENERATED = re.compile(
    r'<!-- multiglyphs_protocol:\w+ -->(.*?)<!-- /multiglyphs_protocol -->',
    re.S)


def unheld_figures(prose: str, generated: str) -> list:
    """The figures of ``prose`` that no number of ``generated`` gives at
    the figure's precision (equal, or rounding to it; signs compared)."""
    numbers = TABLE_NUMBER.findall(generated)

    def gives(number: str, figure: str) -> bool:
        return (len(number.split('.')[1]) >= len(figure.split('.')[1])
                and number.startswith('-') == figure.startswith('-')
                and same_at_precision(figure.lstrip('+'), number))

    return [
        figure for figure in PROSE_FIGURE.findall(prose)
        if not any(gives(n, figure) for n in numbers)
    ]


def amendment_outcome(page: str) -> tuple:
    """(prose, generated tables) of docs/benchmarks.md's amendment 2
    outcome and reading: the hand-written text and the tool's tables."""
    text = page[page.index('**Outcome (complete on'):page.
                index('### Re-training a recorded final run')]
    return GENERATED.sub('', text), ''.join(GENERATED.findall(page))


def test_amendment_outcome_quotes_the_generated_tables():
    """The hand-written outcome of the MultiGlyphs protocol's amendment 2
    and its reading quote only figures that the tool's tables on the page
    give (at the precision quoted: 0.175 may quote 0.1748)."""
    prose, generated = amendment_outcome(read('docs/benchmarks.md'))
    assert len(PROSE_FIGURE.findall(prose)) > 50
    assert unheld_figures(prose, generated) == []


def test_the_figure_check_catches_a_wrong_or_misrounded_figure():
    generated = '| MLIC | 76.83 ± 0.25 | 0.1748 | -0.0941 | +0.17 |'
    assert unheld_figures('76.83, 0.175, 0.17, -0.094 and 0.16-0.17',
                          generated) == ['0.16']
    # rounding the other way, a sign dropped, a figure not there
    assert unheld_figures('0.174, 0.094, 76.84',
                          generated) == ['0.174', '0.094', '76.84']
