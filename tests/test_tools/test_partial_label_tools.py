"""dataset_statistics.py and browse_dataset.py show a partially labelled
training set's unknown labels (docs/partial_labels.md)."""
import re

from .test_hostile_inputs import run_in_process

CONFIG = 'configs/partial_labels/mlic_multiglyphs_partial-ignore.py'


def tiny(data_root):
    # 10 scenes, 2 of them the config's validation split: 8 train
    inner = 'train_dataloader.dataset.dataset'
    return [
        f'{inner}.data_root={data_root}', f'{inner}.num_train=10',
        f'{inner}.num_val=2', f'{inner}.num_test=4',
        'train_dataloader.dataset.known_proportion=0.1'
    ]


def test_statistics_and_browsing_show_unknown_labels(tmp_path):
    data_root = str(tmp_path / 'glyphs')
    code, out, err = run_in_process([
        'tools/analysis_tools/dataset_statistics.py', CONFIG, '--out-dir',
        tmp_path / 'stats', '--samples', 4, '--cfg-options', *tiny(data_root)
    ])
    assert code == 0, err
    # 10 % of 30 labels known: 27 of each image's 30 unknown
    assert '216 of 240 labels are unknown' in out
    unknown_row = next(line for line in out.splitlines()
                       if line.startswith('| unknown |'))
    counts = [int(v) for v in unknown_row.strip('| ').split('|')[1:]]
    assert len(counts) == 30 and sum(counts) == 216
    assert (tmp_path / 'stats' / 'samples_train.png').is_file()

    code, out, err = run_in_process([
        'tools/misc/browse_dataset.py', CONFIG, '--output-dir',
        tmp_path / 'browse', '--num', 2, '--cfg-options', *tiny(data_root)
    ])
    assert code == 0, err
    lines = [
        line for line in out.splitlines() if re.search(r'000[01]\.png: ', line)
    ]
    assert len(lines) == 2
    for line in lines:
        names = line.split(': ', 1)[1].split(', ')
        assert sum(n.startswith('?') for n in names) == 27, line
