"""The re-trained final runs that docs/benchmarks.md reads ("Re-training a
recorded final run") are the committed ones: the page quotes the test mAP
of each recorded run and of its re-training as the ``result.json`` files
under benchmarks/ hold them."""
import json
import os.path as osp

from ..test_tools.helpers import REPO_ROOT

RUN = osp.join('final', 'pretrained', 'mlic', 'seed_0', 'result.json')


def committed_run(folder: str) -> dict:
    """The ``result.json`` of MLIC's pretrained seed-0 run in ``folder``
    (under benchmarks/)."""
    with open(osp.join(REPO_ROOT, 'benchmarks', folder, RUN)) as f:
        return json.load(f)


def page() -> str:
    with open(osp.join(REPO_ROOT, 'docs', 'benchmarks.md')) as f:
        return ' '.join(f.read().split())


def test_the_designs_re_training_is_quoted_as_committed():
    recorded = committed_run('multiglyphs_protocol')['test']['mAP']
    again = committed_run('multiglyphs_reproduce')['test']['mAP']
    text = page()
    assert f'| recorded (EPYC) | {recorded:.2f} |' in text
    assert f'| re-trained (Xeon) | {again:.2f} |' in text


def test_the_amendments_re_training_is_quoted_as_committed():
    recorded = committed_run('multiglyphs_protocol/amended')
    again = committed_run('multiglyphs_reproduce/amended')
    assert (f'test mAP {again["test"]["mAP"]:.2f} against the recorded '
            f'{recorded["test"]["mAP"]:.2f}') in page()
    # the page says every kept metric is equal
    assert again['test'] == recorded['test']
    assert again['val'] == recorded['val']
