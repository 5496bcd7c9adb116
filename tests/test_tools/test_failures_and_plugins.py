import os.path as osp
import re

from mlic.utils import safe_torch_load
from .helpers import CONFIG, REPO_ROOT, run_tool, tiny_multidigits_options

PLUGIN_DIR = osp.join(REPO_ROOT, 'tests', 'data', 'third_party_pkg')


def test_third_party_head_via_custom_imports(tmp_path):
    config = osp.join(PLUGIN_DIR, 'maxpool_head_multidigits.py')
    code, out = run_tool(
        [
            'tools/train.py', config, '--work-dir',
            str(tmp_path / 'w'), '--cfg-options'
        ] + tiny_multidigits_options(
            str(tmp_path / 'd'), epochs=1, num_train=32, num_test=16),
        env=dict(PYTHONPATH=PLUGIN_DIR))
    assert code == 0, out
    ckpt = safe_torch_load(str(tmp_path / 'w' / 'epoch_1.pth'))
    assert 'head.fc.weight' in ckpt['state_dict']


def test_num_classes_mismatch_fails_before_training(tmp_path):
    code, out = run_tool([
        'tools/train.py', CONFIG, '--work-dir',
        str(tmp_path / 'w'), '--cfg-options', 'model.head.num_classes=7',
        'model.data_preprocessor.num_classes=7'
    ] + tiny_multidigits_options(
        str(tmp_path / 'd'), num_train=32, num_test=16))
    assert code != 0
    assert re.search(r'has 10 classes but the model has num_classes=7', out)
    assert not re.search(r'Epoch\(train\)', out)


def test_missing_list_file_is_named(tmp_path):
    code, out = run_tool([
        'tools/test.py', 'configs/mlic/mlic_voc2007.py', 'none.pth',
        '--cfg-options', f'test_dataloader.dataset.data_root={tmp_path}',
        'model.backbone.init_cfg=None'
    ])
    assert code != 0
    # one line that names the file, no traceback (run_tool)
    assert f'error: file not found: {tmp_path}/ImageSets/Main/test.txt' \
        in out
    assert 'Traceback' not in out


def test_non_finite_loss_stops_and_keeps_last_good_checkpoint(tmp_path):
    work = tmp_path / 'w'
    data_opts = tiny_multidigits_options(
        str(tmp_path / 'd'), epochs=1, num_train=32, num_test=16)
    code, out = run_tool(
        ['tools/train.py', CONFIG, '--work-dir',
         str(work), '--cfg-options'] + data_opts)
    assert code == 0, out
    good = work / 'epoch_1.pth'
    good_bytes = good.read_bytes()

    # Continue from it with an absurd LR: the loss diverges within steps.
    code, out = run_tool([
        'tools/train.py', CONFIG, '--work-dir',
        str(work), '--cfg-options', 'optim_wrapper.optimizer.lr=1e30',
        'param_scheduler=[]', f'load_from={good}'
    ] + data_opts)
    assert code != 0
    assert re.search(
        r'FloatingPointError: non-finite loss at iteration \d+: '
        r'loss\w*=(nan|inf)', out), out[-3000:]
    assert good.read_bytes() == good_bytes
    ckpt = safe_torch_load(str(good))
    assert all(
        bool(v.float().isfinite().all()) for v in ckpt['state_dict'].values())
