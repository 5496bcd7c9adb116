"""benchmark_train.py and get_flops.py print their tables; the parts add
up to the whole. No speed is asserted (machines are noisy)."""
import os
import os.path as osp
import re
import sys

from .helpers import run_tool

GLYPHS = 'configs/mlic/mlic_multiglyphs.py'
NUMBER = r'([\d.]+)'


def test_benchmark_train_times_the_step_parts():
    code, out = run_tool([
        'tools/analysis_tools/benchmark_train.py', GLYPHS, '--batch-size', '4',
        '--iters', '2', '--warmup', '1', '--amp', '--channels-last'
    ])
    assert code == 0, out
    assert 'batch 4, 64 x 64, cpu' in out and 'amp, channels-last' in out
    assert '| images/s | ms/step | forward | backward | optimiser + EMA |' \
        in out
    row = re.search(r'^\| ' + r' \| '.join([NUMBER] * 5), out, re.M)
    images_s, step, *parts = map(float, row.groups())
    assert abs(sum(parts) - step) <= 0.2  # the parts make the step
    assert abs(images_s - 4000 / step) / images_s < 0.01


def test_benchmark_train_with_the_real_loader(tmp_path):
    options = [
        f'{key}={value}'
        for key, value in (('train_dataloader.dataset.data_root',
                            tmp_path / 'data'),
                           ('train_dataloader.dataset.num_train',
                            16), ('train_dataloader.dataset.num_test',
                                  8), ('train_dataloader.num_workers', 0),
                           ('train_dataloader.persistent_workers', False))
    ]
    code, out = run_tool([
        'tools/analysis_tools/benchmark_train.py', GLYPHS, '--batch-size', '4',
        '--iters', '2', '--warmup', '1', '--with-data', '--cfg-options'
    ] + options)
    assert code == 0, out
    assert '| images/s | ms/step | data | forward |' in out
    code, out = run_tool([
        'tools/analysis_tools/benchmark_train.py', GLYPHS, '--batch-size', '4',
        '--iters', '10', '--warmup', '1', '--with-data', '--cfg-options'
    ] + options)
    assert code != 0 and 'the train set ran out after 4 batches' in out


def test_get_flops_parts_add_up():
    code, out = run_tool(['tools/analysis_tools/get_flops.py', GLYPHS])
    assert code == 0, out
    assert 'input 1 x 3 x 64 x 64' in out

    def row(name):
        m = re.search(rf'^\| {name} \| {NUMBER} (\w) \| {NUMBER} (\w) \|', out,
                      re.M)
        scale = dict(K=1e3, M=1e6, G=1e9)
        return (float(m.group(1)) * scale[m.group(2)],
                float(m.group(3)) * scale[m.group(4)])

    model, backbone, head = row('model'), row('backbone'), row('head')
    # the ResNet-18 of the MultiGlyphs configs at 64 px: 72.6 MFLOPs
    assert abs(backbone[0] - 72.6e6) < 0.1e6
    for i in (0, 1):  # FLOPs, parameters
        assert abs(backbone[i] + head[i] - model[i]) <= 0.011 * model[i]
    # attention products are counted (mmengine has no rule for them)
    assert 'scaled_dot_product_attention' not in out


def test_gpu_check_dry_run_on_the_cpu(tmp_path):
    """gpu_check.sh end to end at toy sizes on the CPU (no --compile rows:
    compiling takes minutes; test_speed_switches covers it). Its --amp is
    bfloat16 autocast here, emulated on CPUs without native bfloat16, where
    one step of the script's ResNet-101 takes about 40 s: the dry run times
    the MultiGlyphs model instead (CONFIG), one image, no warm-up step. The
    COCO model's benchmark runs in test_speed_benchmarks (float32)."""
    out = tmp_path / 'check.md'
    env = dict(
        CONFIG='configs/mlic/mlic_multiglyphs.py',
        DEVICE='cpu',
        SHAPE='64 64',
        BATCH='1',
        ITERS='1',
        WARMUP='0',
        DIGITS_ITERS='2',
        DIGITS_TEST='32',
        SKIP_COMPILE='1',
        PATH=osp.dirname(sys.executable) + os.pathsep + os.environ['PATH'])
    code, log = run_tool(
        ['bash', 'tools/analysis_tools/gpu_check.sh',
         str(out)], env=env)
    assert code == 0, log + (out.read_text() if out.exists() else '')
    text = out.read_text()
    assert text.count('| images/s | ms/step |') == 2, text
    assert '## benchmark_train.py, configs/mlic/mlic_multiglyphs.py' in text
    assert 'switches: amp, channels-last' in text
    assert re.search(r'- epoch 1: \d+ s .*multi-label/mAP: [\d.]+', text)
    assert re.search(r'- epoch 2, resumed: \d+ s .*multi-label/mAP', text)
    assert 'FAILED' not in text


def test_benchmark_switches_table():
    code, out = run_tool([
        '.dev_scripts/benchmark_switches.py', GLYPHS, '--batch-size', '4',
        '--iters', '1', '--warmup', '1', '--rounds', '1', '--only',
        'channels-last', 'foreach EMA'
    ])
    assert code == 0, out
    rows = re.findall(
        r'^\| (plain|channels-last|foreach EMA) \| .* \| '
        r'([\d.]+) \| ([\d.]+)x \|', out, re.M)
    assert [r[0] for r in rows] == ['plain', 'channels-last', 'foreach EMA']
    assert rows[0][2] == '1.00'
    assert 'channels_last = True' in out
