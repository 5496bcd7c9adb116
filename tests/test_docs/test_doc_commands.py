"""Every shell command in README.md, model-zoo.md, docs/*.md and the
configs' and benchmarks' READMEs, run as the page gives it.

Each command of a ```bash block (continuation lines joined, comments
dropped, ``a && b`` taken as two commands) must have an entry in ``PLANS``,
or ``test_every_doc_command_has_a_plan`` fails and names the page and line.
An entry either runs the command here, in a sandbox folder laid out like a
checkout (``configs``, ``tools`` and ``demo`` linked, ``data`` and
``work_dirs`` empty), or says which other check covers it and why it is not
run here (two machines, a Slurm cluster, an hour of compiling).

A command runs as written except for what its ``Run`` entry lists, in the
open: ``--cfg-options`` appended to shrink a job to seconds (fewer images,
epochs and loader workers; the MultiGlyphs quick start keeps its 10 epochs,
so its ``epoch_10.pth`` exists), placeholders such as ``CONFIG`` filled in,
and ``[--optional]`` brackets dropped (every optional argument is passed).
"""
import glob
import os
import os.path as osp
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Dict, Tuple, Union

from ..test_tools.helpers import (REPO_ROOT, loader_options, run_shell,
                                  tiny_multidigits_options)

PAGES = ['*.md', 'docs/*.md', 'configs/*/README.md', 'benchmarks/*/README.md']
SHELL_BLOCK = re.compile(r'```(?:bash|shell|sh)\n(.*?)```', re.S)
FILE_BLOCK = re.compile(r'```python\n# file: (\S+)[^\n]*\n(.*?)```', re.S)


@dataclass(frozen=True)
class DocCommand:
    page: str
    line: int
    text: str

    def __str__(self):
        return f'{self.page}:{self.line}: {self.text}'


def doc_commands():
    """Every command of every shell block of PAGES, in page order."""
    pages = []
    for pattern in PAGES:
        pages += sorted(glob.glob(osp.join(REPO_ROOT, pattern)))
    for path in pages:
        text = open(path, encoding='utf-8').read()
        page = osp.relpath(path, REPO_ROOT)
        for block in SHELL_BLOCK.finditer(text):
            first_line = text[:block.start()].count('\n') + 2
            pending, start = '', None
            for offset, line in enumerate(block.group(1).splitlines()):
                start = first_line + offset if start is None else start
                line = re.sub(r'(^|\s)#.*$', '', line).rstrip()
                if line.endswith('\\'):
                    pending += line[:-1] + ' '
                    continue
                logical = ' '.join((pending + line).split())
                for part in filter(None, logical.split(' && ')):
                    yield DocCommand(page, start, part.strip())
                pending, start = '', None


@dataclass
class Run:
    """Run in a scenario's sandbox; see the module docstring."""
    scenario: str
    options: Tuple[str, ...] = ()  # appended as --cfg-options
    replace: Dict[str, str] = field(default_factory=dict)
    extra_args: Tuple[str, ...] = ()  # appended as they are
    expect_files: Tuple[str, ...] = ()
    expect_output: Union[str, Tuple[str, ...]] = ()  # regexes
    env: Dict[str, str] = field(default_factory=dict)
    timeout: int = 900


@dataclass
class Covered:
    """Not run here; ``check`` names the test or check that covers it and
    ``why`` why the command itself is not run."""
    check: str
    why: str


# MultiGlyphs at 32 train / 16 test scenes; the quick start's 10 epochs stay.
GLYPHS = tuple(loader_options('data/multiglyphs', 32, 16))
# The quick start's config carves a validation split (1,000 of 6,000 scenes):
# 8 of the 32 here.
GLYPHS_QS = GLYPHS + tuple(
    f'{loader}.dataset.num_val=8'
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'))
# The COCO configs on the 80-category miniature tree the coco scenario
# writes, one epoch, no ImageNet download (the weights are random), at
# 64 px instead of 448 (every step of the ResNet-101 model is the same;
# 49 times fewer pixels). Their distributed runs use 2 processes, not 4:
# four ResNet-101 MLIC models with AdamW state and EMA take about 19 GiB,
# near this machine's 24.
COCO_64PX = tuple(f'{loader}.dataset.pipeline.1.scale=(64,64)'
                  for loader in ('train_dataloader', 'val_dataloader',
                                 'test_dataloader'))
# Float32 (OptimWrapper instead of the recipe's mixed precision): on a CPU
# without native bfloat16 the autocast is emulated and one ResNet-101 step
# takes about a minute; --amp on the CPU is covered by test_speed_switches,
# test_amp_flag_trains_on_cpu and gpu_check.sh's dry run on this model.
COCO = tuple(loader_options(
    batch=1, epochs=1)) + ('model.backbone.init_cfg=None',
                           'optim_wrapper.type=OptimWrapper') + COCO_64PX
QUICK_START = 'configs/mlic/mlic_singleglyphs-pre_multiglyphs-tuned-10e.py'
TRAINED = 'work_dirs/mlic_quickstart/epoch_10.pth'
COMPARE_GLYPHS = tuple(tiny_multidigits_options('data/multiglyphs', 1, 16, 16))
COMPARE_DIGITS = tuple(tiny_multidigits_options('data/multidigits', 1, 16, 16))

PLANS = {
    # ---- README.md: installation and the quick start
    'pip install -e .':
    Covered(
        '.ci/run', 'CI installs mlic this way (with extras) first; '
        'test_ci_runs_the_install_and_test_commands checks it'),
    'pip install -e ".[tests]"':
    Covered(
        '.ci/run', 'the same install with the tests extra; '
        'test_ci_runs_the_install_and_test_commands checks it'),
    'python -m pytest tests':
    Covered('.ci/run', 'this suite; .ci/run runs it as written'),
    'MLIC_MMCV=full pip install -e .':
    Covered(
        'test_full_mmcv_switch_requires_mmcv',
        'full mmcv has no wheel for this torch and compiles for a long '
        'time; the test '
        'checks that the switch asks pip for full mmcv instead of mmcv-lite'),
    f'python tools/train.py {QUICK_START} '
    '--work-dir work_dirs/mlic_quickstart':
    Run('glyphs',
        GLYPHS_QS,
        expect_files=(TRAINED, ),
        expect_output=r'multi-label/mAP'),
    f'python tools/test.py {QUICK_START} {TRAINED}':
    Run('glyphs', GLYPHS_QS, expect_output=r'multi-label/mAP: \d'),
    # ---- README.md: the tools' synopsis
    'python tools/train.py CONFIG [--work-dir DIR] [--data-root DIR] '
    '[--resume [CKPT]] [--amp] [--auto-scale-lr] [--tensorboard] '
    '[--print-config] [--cfg-options k=v ...]':
    Covered('test_synopsis_flags_are_the_tools_flags',
            'a synopsis; every flag it names is checked against --help'),
    'python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--data-root '
    'DIR] [--out preds.pkl [--force]] [--print-config] [--cfg-options k=v '
    '...]':
    Covered('test_synopsis_flags_are_the_tools_flags',
            'a synopsis; every flag it names is checked against --help'),
    'tools/dist_train.sh configs/mlic/mlic_coco.py 4':
    Run('coco',
        COCO,
        replace={'mlic_coco.py 4': 'mlic_coco.py 2'},
        expect_files=('work_dirs/mlic_coco/epoch_1.pth', ),
        expect_output=(r'Processes: 2', r'multi-label/mAP')),
    'tools/dist_test.sh configs/mlic/mlic_coco.py '
    'work_dirs/mlic_coco/epoch_80.pth 4':
    Run('coco',
        COCO,
        replace={'epoch_80.pth 4': 'epoch_1.pth 2'},
        expect_output=r'multi-label/mAP: \d'),
    'NNODES=2 NODE_RANK=0 MASTER_ADDR=10.0.0.1 PORT=29500 '
    'tools/dist_train.sh configs/mlic/mlic_coco.py 8':
    Covered(
        'test_two_nodes_on_one_machine',
        'needs two machines; the test starts node 0 and node 1 of the same '
        'script on this one (127.0.0.1, one process each, MultiGlyphs)'),
    'GPUS=8 tools/slurm_train.sh PARTITION JOB CONFIG WORK_DIR':
    Covered('test_slurm_scripts_parse',
            'needs a Slurm cluster; the test checks the scripts parse'),
    # ---- README.md and docs/inference.md: inference and export
    'python demo/image_demo.py demo/multiglyphs_demo.png '
    f'{QUICK_START} --checkpoint {TRAINED} '
    '--out-file demo_out.png':
    Run('glyphs',
        expect_files=('demo_out.png', ),
        expect_output=r'resized to 64 x 64'),
    f'python demo/image_demo.py photos/ {QUICK_START} '
    f'--checkpoint {TRAINED} --out preds.jsonl':
    Run('glyphs', expect_files=('preds.jsonl', )),
    f'python tools/deployment/pytorch2onnx.py {QUICK_START} '
    f'{TRAINED} --output-file mlic.onnx --dynamic-export --verify':
    Run('glyphs', expect_files=('mlic.onnx', ), expect_output='verified'),
    f'python demo/image_demo.py photos/ {QUICK_START} '
    f'--checkpoint {TRAINED} --batch-size 32 --threshold '
    'work_dirs/thresholds.json --out preds_tuned.jsonl --out-dir drawn/':
    Run('glyphs',
        expect_files=('preds_tuned.jsonl', 'drawn/scene_a.png',
                      'drawn/scene_b.png')),
    # ---- docs/evaluation.md
    'python tools/test.py CONFIG CKPT --out preds.pkl':
    Run('glyphs',
        GLYPHS_QS,
        replace={
            'CONFIG': QUICK_START,
            'CKPT': TRAINED
        },
        expect_files=('preds.pkl', )),
    'python tools/analysis_tools/eval_metric.py preds.pkl [--threshold 0.4] '
    '[--topk 3] [--ap voc07] [--classwise]':
    Run('glyphs', expect_output=r'mAP'),
    'python tools/analysis_tools/eval_metric.py val_preds.pkl '
    '--search-thresholds work_dirs/thresholds.json':
    Run('glyphs',
        replace={'val_preds.pkl': 'preds.pkl'},
        expect_files=('work_dirs/thresholds.json', )),
    'python tools/analysis_tools/eval_metric.py test_preds.pkl '
    '--thresholds work_dirs/thresholds.json':
    Run('glyphs',
        replace={'test_preds.pkl': 'preds.pkl'},
        expect_output=r'mAP'),
    # ---- docs/visualization.md, on the quick start's model and preds.pkl
    'python tools/visualization/vis_cooccurrence.py '
    f'{QUICK_START} {TRAINED} --out-dir vis/cooccurrence':
    Run('glyphs',
        GLYPHS_QS,
        expect_files=('vis/cooccurrence/cooccurrence.png',
                      'vis/cooccurrence/example_3.png'),
        expect_output=r'Pearson correlation'),
    'python tools/visualization/vis_attention.py '
    f'{QUICK_START} {TRAINED} demo/multiglyphs_demo.png '
    '--out-file vis/attention.png --topk 4':
    Run('glyphs',
        expect_files=('vis/attention.png', ),
        expect_output=r'label-query attention'),
    f'python tools/test.py {QUICK_START} {TRAINED} '
    '--out vis/preds.pkl':
    Run('glyphs', GLYPHS_QS, expect_files=('vis/preds.pkl', )),
    'python tools/analysis_tools/analyze_results.py '
    f'{QUICK_START} vis/preds.pkl --out-dir vis/results':
    Run('glyphs',
        GLYPHS_QS,
        expect_files=('vis/results/per_class.csv', 'vis/results/pr_curves.png',
                      'vis/results/false_positives.png'),
        expect_output=r'\| class \| AP'),
    'python tools/analysis_tools/analyze_logs.py plot_curve '
    'work_dirs/mlic_quickstart/*/vis_data/scalars.json --keys loss '
    'loss_contrastive multi-label/mAP --out vis/curves.png':
    Run('glyphs', expect_files=('vis/curves.png', )),
    'python tools/analysis_tools/analyze_logs.py cal_train_time '
    'work_dirs/mlic_quickstart/*/vis_data/scalars.json':
    Run('glyphs', expect_output=r's/iter on average'),
    'python tools/train.py configs/mlic/mlic_multiglyphs.py --tensorboard':
    Run('glyphs', GLYPHS, expect_output=r'multi-label/mAP'),
    # ---- docs/deployment.md and docs/inference.md on the COCO configs
    'pip install -e ".[deploy]"':
    Covered('test_ci_runs_the_install_and_test_commands',
            'the tests extra that CI installs holds every deploy package'),
    'python tools/deployment/pytorch2onnx.py configs/mlic/mlic_coco.py '
    'mlic_coco.pth --output-file mlic_coco.onnx --dynamic-export --verify':
    Run('coco',
        COCO_64PX,
        replace={'mlic_coco.pth': 'work_dirs/mlic_coco/epoch_1.pth'},
        expect_files=('mlic_coco.onnx', ),
        expect_output=r'verified batch 3'),
    'python tools/model_converters/official2mlic.py best_ema_model.pth '
    'mlic_coco_converted.pth':
    Run('coco', expect_files=('mlic_coco_converted.pth', )),
    'python tools/test.py configs/mlic/mlic_coco.py mlic_coco_converted.pth':
    Run('coco', COCO, expect_output=r'multi-label/mAP: \d'),
    # ---- docs/extending.md
    'PYTHONPATH=$PWD python {REPO}/tools/train.py max_pool_multidigits.py '
    '--work-dir work_dirs/max_pool':
    Covered(
        'tests/test_tools/test_extending_docs.py',
        'that test writes the page\'s files outside the checkout and '
        'runs its train and test commands there'),
    'PYTHONPATH=$PWD python {REPO}/tools/test.py max_pool_multidigits.py '
    'work_dirs/max_pool/epoch_10.pth':
    Covered(
        'tests/test_tools/test_extending_docs.py',
        'that test writes the page\'s files outside the checkout and '
        'runs its train and test commands there'),
    'PYTHONPATH=$PWD python {REPO}/tools/visualization/vis_attention.py '
    'max_pool_multidigits.py work_dirs/max_pool/epoch_10.pth '
    '{REPO}/demo/demo.png --out-file max_pool_maps.png':
    Covered(
        'tests/test_tools/test_extending_docs.py',
        'that test writes the page\'s files outside the checkout and '
        'runs its train, test and vis_attention commands there'),
    # ---- docs/datasets.md: your own data
    'python {REPO}/tools/train.py my_data_mlic.py --work-dir '
    'work_dirs/my_data':
    Covered(
        'tests/test_tools/test_custom_data_docs.py',
        'that test writes the page\'s config and list files outside the '
        'checkout, with images of mixed sizes, and runs its commands'),
    'python {REPO}/tools/test.py my_data_mlic.py '
    'work_dirs/my_data/epoch_10.pth':
    Covered(
        'tests/test_tools/test_custom_data_docs.py',
        'that test writes the page\'s config and list files outside the '
        'checkout, with images of mixed sizes, and runs its commands'),
    # ---- docs/benchmarks.md, docs/methods.md: the method comparisons
    'python tools/analysis_tools/compare_methods.py --seeds 0 1 2':
    Run('compare',
        COMPARE_GLYPHS,
        replace={'--seeds 0 1 2': '--seeds 0'},
        expect_output=r'MLIC, T = 4'),
    'python tools/analysis_tools/compare_methods.py --list':
    Run('compare', expect_output=r'configs/mlic/mlic_multiglyphs.py'),
    'python tools/analysis_tools/compare_methods.py --only mlic q2l '
    '--seeds 3 4':
    Run('compare', COMPARE_GLYPHS, expect_output=r'MLIC \(T = 1\)'),
    'python tools/analysis_tools/compare_methods.py --no-train':
    Run('compare', expect_output=r'Query2Label-style'),
    'python tools/analysis_tools/compare_methods.py --benchmark multidigits '
    '--seeds 0':
    Run('compare', COMPARE_DIGITS, expect_output=r'MLIC'),
    # benchmarks/multiglyphs/README.md, on a copy of the committed results:
    # every run is finished, so nothing trains, and the regenerated table
    # equals the committed one (test_committed_benchmark_table_is_current).
    'python tools/analysis_tools/compare_methods.py --seeds 0 1 2 '
    '--work-dir benchmarks/multiglyphs':
    Run('benchmark', timeout=300, expect_output=r'MLIC, T = 4'),
    'python tools/analysis_tools/compare_methods.py --no-train --work-dir '
    'benchmarks/multiglyphs --update-doc docs/benchmarks.md':
    Run('benchmark', expect_output=r'docs/benchmarks.md'),
    # benchmarks/multiglyphs_rerun/README.md, on a copy of its runs too
    'python tools/analysis_tools/compare_methods.py --no-train --work-dir '
    'benchmarks/multiglyphs_rerun':
    Run('benchmark', expect_output=r'\| MLIC, T = 4 \| .* \| 8 min 21 s \|'),
    'python tools/analysis_tools/compare_methods.py --seeds 0 1 2 '
    '--work-dir benchmarks/multiglyphs_rerun':
    Covered(
        'test_committed_benchmark_table_is_current',
        'it would train the 22 runs of seeds 1 and 2 (about 2.5 hours); the '
        'same command on benchmarks/multiglyphs, where every run is '
        'finished, runs there, and the re-run\'s --no-train table is '
        'checked against its committed results.md'),
    'python tools/analysis_tools/compare_methods.py --speed':
    Run('compare',
        extra_args=('--only', 'baseline', '--speed-iters', '1'),
        expect_output=r'\| baseline \(GAP \+ linear\) \| `configs/'),
    # ---- docs/benchmarks.md: the training step of the MS-COCO model
    'python tools/analysis_tools/get_flops.py configs/mlic/mlic_coco.py':
    Run('speed', expect_output=r'^\| backbone \| 31\.33 G \| 42\.50 M \|'),
    'python tools/analysis_tools/benchmark_train.py configs/mlic/mlic_coco.py '
    '--batch-size 8 --shape 224 224':
    # float32: the config's bfloat16 autocast is emulated, and takes over
    # 15 minutes for one step, on CPUs without AVX-512 (seen on an AMD EPYC
    # with AVX2 only); the test checks the tool, not the CPU, so it also
    # times batches of 2
    Run('speed',
        extra_args=('--iters', '1', '--warmup', '1', '--fp32', '--batch-size',
                    '2'),
        expect_output=r'batch 2, 224 x 224, cpu'),
    'python .dev_scripts/benchmark_switches.py '
    'configs/mlic/mlic_coco.py --batch-size 8 --shape 224 224 --rounds 1 '
    '--iters 3 --warmup 1':
    Run('speed',
        extra_args=('--only', 'foreach EMA', '--iters', '1', '--batch-size',
                    '2'),
        expect_output=r'^\| foreach EMA \| .* \| [\d.]+x \|'),
    'python .dev_scripts/benchmark_reference_step.py --rounds 5 '
    '--iters 3 --warmup 2 --profile 12':
    Run('speed',
        extra_args=('--rounds', '1', '--iters', '1', '--warmup', '0',
                    '--batch-size', '2', '--shape', '64', '64'),
        expect_output=(r'^\| reference \| [\d.]+ \|',
                       r'^\| mlic \| [\d.]+ \| [\d.]+ \| [\d.]+x \|',
                       r'mlic: top 12 operators')),
    # ---- the speed benchmarks (docs/benchmarks.md, docs/datasets.md)
    'python .dev_scripts/benchmark_contrastive_loss.py':
    Run('speed', extra_args=('--repeats', '2'), expect_output=r'speed-up'),
    'python .dev_scripts/benchmark_metrics.py':
    Run('speed', expect_output=r'10000 x 500 .*x$'),
    'python .dev_scripts/benchmark_metrics.py --ties --skip-loop':
    Run('speed', expect_output=r'10000 x 500'),
    'python .dev_scripts/benchmark_dataset_build.py':
    Run(
        'speed',
        # a twentieth of the real files' sizes
        extra_args=('--workdir', 'bench_datasets', '--scale', '0.05'),
        expect_output=r'NUSWIDE train'),
    'python .dev_scripts/benchmark_pipeline.py':
    Run('speed',
        extra_args=('--workdir', 'bench_pipeline', '--num-images', '50'),
        expect_output=r'ratio'),
    'python tools/analysis_tools/compare_methods.py --benchmark '
    'multiglyphs_partial --list':
    Run('compare', expect_output=r'known10_mlic_llr'),
    'python tools/analysis_tools/compare_methods.py --benchmark '
    'multiglyphs_partial --jobs 2 --threads-per-job 1 --update-doc '
    'docs/partial_labels.md':
    Covered(
        'tests/test_tools/test_compare_methods.py',
        'the campaign itself (about 10 hours); the test runs the tool on '
        'these rows with the training replaced, two runs at a time with '
        'the training replaced, and the --update-doc and resume paths on '
        'canned runs'),
    'pip install -e ".[demo]"':
    Covered('test_ci_runs_the_install_and_test_commands',
            'the tests extra that CI installs holds every demo package'),
    f'python demo/web_demo.py {QUICK_START} {TRAINED}':
    Covered(
        'tests/test_tools/test_web_demo.py',
        'a server that runs until stopped; the test starts the same script '
        'on a model it trains and drives the page in a real browser'),
    'python tools/train.py '
    'configs/partial_labels/mlic_multiglyphs_partial-ignore.py --cfg-options '
    'train_dataloader.dataset.known_proportion=0.5':
    Covered(
        'tests/test_models/test_partial_label_configs.py',
        'the same config through the same runner on 8 scenes, and the '
        'override is a plain PartialLabelDataset argument (tested in '
        'tests/test_datasets/test_partial_labels.py); the command is a '
        'full 10-epoch training'),
    'python tools/train.py '
    'configs/partial_labels/resnet18_gap_linear_multiglyphs_partial-llr.py '
    '--cfg-options train_dataloader.dataset.protocol=single_positive':
    Covered(
        'tests/test_models/test_partial_label_configs.py',
        'as above; single_positive is tested in '
        'tests/test_datasets/test_partial_labels.py'),
}


def test_every_doc_command_has_a_plan():
    commands = list(doc_commands())
    assert len(commands) > 30, commands  # the parser found the blocks
    unplanned = [str(c) for c in commands if c.text not in PLANS]
    assert not unplanned, 'commands without an entry in PLANS:\n' + \
        '\n'.join(unplanned)
    stale = set(PLANS) - {c.text for c in commands}
    assert not stale, f'PLANS entries no page has any more: {sorted(stale)}'


def test_every_covering_check_exists():
    here = open(__file__).read()
    for text, plan in PLANS.items():
        if not isinstance(plan, Covered):
            continue
        if plan.check == '.ci/run':
            continue
        if plan.check.startswith('tests/'):
            assert osp.isfile(osp.join(REPO_ROOT, plan.check)), plan.check
        else:
            assert f'def {plan.check}(' in here, (text, plan.check)


# ---------------------------------------------------------------- sandbox


def _sandbox(root):
    """A folder laid out like a checkout, without its outputs."""
    os.makedirs(root, exist_ok=True)
    for name in ('configs', 'tools', 'demo', '.dev_scripts', 'checkpoints'):
        os.symlink(osp.join(REPO_ROOT, name), osp.join(root, name))
    return root


def _as_run(command: DocCommand, plan: Run) -> str:
    text = command.text
    for old, new in plan.replace.items():
        assert old in text, (old, text)
        text = text.replace(old, new)
    text = re.sub(r'\[(--[^\[\]]*)\]', r'\1', text)
    args = list(plan.extra_args)
    if plan.options:
        args += ['--cfg-options', *plan.options]
    return ' '.join([text] + [shlex.quote(a) for a in args])


def run_scenario(scenario, root):
    """Run the scenario's commands in page order; fail on the first."""
    ran = []
    seen = set()
    for command in doc_commands():
        plan = PLANS.get(command.text)
        if not isinstance(plan, Run) or plan.scenario != scenario:
            continue
        if command.text in seen:  # the same command on two pages
            continue
        seen.add(command.text)
        text = _as_run(command, plan)
        code, out = run_shell(text, root, plan.env, plan.timeout)
        where = f'{command}\nran: {text}\n--- output (tail)\n{out[-4000:]}'
        assert code == 0, f'exit status {code}: {where}'
        for name in plan.expect_files:
            assert osp.exists(osp.join(root, name)), f'no {name}: {where}'
        patterns = plan.expect_output
        for pattern in (patterns, ) if isinstance(patterns, str) else patterns:
            assert re.search(pattern, out, re.M), \
                f'no match for {pattern!r}: {where}'
        ran.append(command.text)
    assert ran, f'no command in scenario {scenario}'
    return ran


# --------------------------------------------------------------- scenarios


def test_multiglyphs_quick_start_demo_export_and_evaluation(tmp_path):
    root = _sandbox(str(tmp_path / 'checkout'))
    photos = osp.join(root, 'photos')
    os.makedirs(photos)
    for name in ('scene_a.png', 'scene_b.png'):
        shutil.copy(
            osp.join(REPO_ROOT, 'demo', 'multiglyphs_demo.png'),
            osp.join(photos, name))
    ran = run_scenario('glyphs', root)
    assert len(ran) == 17, ran
    # --tensorboard (docs/visualization.md) wrote TensorBoard events
    assert glob.glob(
        osp.join(root, 'work_dirs', 'mlic_multiglyphs', '*', 'vis_data',
                 'events.out.tfevents.*'))


def _write_coco_80(root):
    """The COCO 2014 layout with COCO's 80 categories and 4 images a split
    (most labels have no positive; the metric reports them)."""
    import json

    import cv2
    import numpy as np

    from mlic.datasets.categories import COCO_CATEGORIES
    rng = np.random.default_rng(0)
    categories = [
        dict(id=i + 1, name=n) for i, n in enumerate(COCO_CATEGORIES)
    ]
    for split in ('train2014', 'val2014'):
        images, annotations = [], []
        for i in range(4):
            name = f'COCO_{split}_{i:012d}.jpg'
            images.append(dict(id=i, file_name=name))
            os.makedirs(osp.join(root, split), exist_ok=True)
            cv2.imwrite(
                osp.join(root, split, name),
                rng.integers(0, 255, (48, 64, 3), dtype=np.uint8))
            for j, cat in enumerate((1 + i, 3 + 2 * i)):
                annotations.append(
                    dict(
                        id=10 * i + j, image_id=i, category_id=cat, iscrowd=0))
        os.makedirs(osp.join(root, 'annotations'), exist_ok=True)
        with open(
                osp.join(root, 'annotations', f'instances_{split}.json'),
                'w') as f:
            json.dump(
                dict(
                    images=images,
                    annotations=annotations,
                    categories=categories), f)


def test_coco_distributed_training_conversion_and_export(tmp_path):
    import torch

    from mlic.testing import ReferenceStyleMLIC
    root = _sandbox(str(tmp_path / 'checkout'))
    _write_coco_80(osp.join(root, 'data', 'MSCOCO'))
    torch.manual_seed(0)
    official = ReferenceStyleMLIC(num_classes=80)
    torch.save({
        f'module.{k}': v
        for k, v in official.state_dict().items()
    }, osp.join(root, 'best_ema_model.pth'))
    del official
    ran = run_scenario('coco', root)
    assert len(ran) == 5, ran


def test_method_comparisons(tmp_path):
    root = _sandbox(str(tmp_path / 'checkout'))
    assert len(run_scenario('compare', root)) == 7


def test_speed_benchmarks(tmp_path):
    root = _sandbox(str(tmp_path / 'checkout'))
    assert len(run_scenario('speed', root)) == 9


def test_committed_benchmark_table_is_current(tmp_path):
    """benchmarks/multiglyphs/README.md's two commands on a copy of the
    committed runs: nothing is left to train, and the table they write into
    docs/benchmarks.md is the committed one; the table of
    benchmarks/multiglyphs_rerun is the one its committed runs give."""
    root = _sandbox(str(tmp_path / 'checkout'))
    patterns = ('README.md', 'results.*', '*/seed_*.log',
                '*/seed_*/result.json')
    for folder in ('multiglyphs', 'multiglyphs_rerun'):
        src = osp.join(REPO_ROOT, 'benchmarks', folder)
        for pattern in patterns:
            for path in glob.glob(osp.join(src, pattern)):
                dst = osp.join(root, 'benchmarks', folder,
                               osp.relpath(path, src))
                os.makedirs(osp.dirname(dst), exist_ok=True)
                shutil.copy(path, dst)
    os.makedirs(osp.join(root, 'docs'))
    shutil.copy(
        osp.join(REPO_ROOT, 'docs', 'benchmarks.md'),
        osp.join(root, 'docs', 'benchmarks.md'))
    run_scenario('benchmark', root)
    assert open(osp.join(root, 'docs', 'benchmarks.md')).read() == open(
        osp.join(REPO_ROOT, 'docs', 'benchmarks.md')).read(), \
        'docs/benchmarks.md differs from the table of benchmarks/multiglyphs'
    rerun = osp.join('benchmarks', 'multiglyphs_rerun', 'results.md')
    assert open(osp.join(root, rerun)).read() == open(
        osp.join(REPO_ROOT, rerun)).read(), \
        f'{rerun} differs from the table its runs give'


# ------------------------------------------------- checks of Covered entries


def test_ci_runs_the_install_and_test_commands():
    ci = open(osp.join(REPO_ROOT, '.ci', 'run')).read()
    install = re.search(r'^pip install -e "\.\[([\w,]+)\]"$', ci, re.M)
    assert install and 'tests' in install.group(1).split(','), ci
    assert re.search(r'^python -m pytest tests$', ci, re.M), ci

    def requirements(name):
        lines = open(osp.join(REPO_ROOT, 'requirements', name)).read()
        return {
            line.split('#')[0].strip()
            for line in lines.splitlines() if line.split('#')[0].strip()
        }

    assert requirements('deploy.txt') <= requirements('tests.txt')
    # the web demo's browser test: its packages, and the system browser
    assert requirements('demo.txt') <= requirements('tests.txt')
    assert {'selenium>=4.10'} <= requirements('tests.txt')
    assert re.search(r'apt-get install -y -q chromium chromium-driver', ci)


def test_full_mmcv_switch_requires_mmcv():
    env = dict(os.environ, MLIC_MMCV='full')
    out = subprocess.run([
        sys.executable, '-c', 'import runpy, setuptools, sys\n'
        'setuptools.setup = lambda **kw: print(kw["install_requires"])\n'
        'runpy.run_path("setup.py")'
    ],
                         cwd=REPO_ROOT,
                         env=env,
                         capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr
    assert re.search(r"'mmcv[<>=]", out.stdout), out.stdout
    assert 'mmcv-lite' not in out.stdout, out.stdout


def test_synopsis_flags_are_the_tools_flags():
    for tool in ('train', 'test'):
        synopsis = next(
            text for text in PLANS
            if text.startswith(f'python tools/{tool}.py CONFIG'))
        code, help_text = run_shell(f'python tools/{tool}.py --help',
                                    REPO_ROOT)
        assert code == 0, help_text
        for flag in re.findall(r'--[\w-]+', synopsis):
            assert re.search(rf'\[{flag}[\] ]', help_text), (tool, flag)


def test_slurm_scripts_parse():
    for name in ('slurm_train.sh', 'slurm_test.sh'):
        code, out = run_shell(f'bash -n tools/{name}', REPO_ROOT)
        assert code == 0, out


def test_two_nodes_on_one_machine(tmp_path):
    """README's multi-node command, both nodes on this machine."""
    root = _sandbox(str(tmp_path / 'checkout'))
    text = next(t for t in PLANS if t.startswith('NNODES=2'))
    import socket
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    text = text.replace('MASTER_ADDR=10.0.0.1', 'MASTER_ADDR=127.0.0.1')
    text = text.replace('PORT=29500', f'PORT={port}')
    text = text.replace('configs/mlic/mlic_coco.py 8',
                        'configs/mlic/mlic_multiglyphs.py 1')
    options = ' '.join(
        shlex.quote(o) for o in GLYPHS + ('train_cfg.max_epochs=1', ))
    node1 = text.replace('NODE_RANK=0', 'NODE_RANK=1')
    both = (f'{node1} --cfg-options {options} > node1.log 2>&1 & '
            f'{text} --cfg-options {options}; a=$?; wait $!; b=$?; '
            'cat node1.log; exit $((a + b))')
    code, out = run_shell(both, root)
    assert code == 0, out[-4000:]
    assert 'Processes: 2' in out, out[-4000:]
    assert osp.exists(
        osp.join(root, 'work_dirs', 'mlic_multiglyphs', 'epoch_1.pth'))
