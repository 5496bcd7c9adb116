import re
import sys
import time

from .helpers import CONFIG, run_tool, tiny_multidigits_options

METRICS = re.compile(r'Epoch\(test\).*?(multi-label/mAP: .*?)\s+data_time')
VAL_MAP = re.compile(r'Epoch\(val\).*?multi-label/mAP: ([0-9.]+)')
TEST_MAP = re.compile(r'Epoch\(test\).*?multi-label/mAP: ([0-9.]+)')


def test_two_process_cpu_train_and_test_match_single_process(tmp_path):
    work = tmp_path / 'w'
    opts = tiny_multidigits_options(
        str(tmp_path / 'd'), epochs=1, num_train=64, num_test=37)
    env = dict(PORT='29617')
    # no PORT: dist_train.sh picks a free one
    code, out = run_tool(
        [
            'bash', 'tools/dist_train.sh', CONFIG, '2', '--work-dir',
            str(work), '--cfg-options'
        ] + opts,
        env=dict(PORT=''))
    assert code == 0, out[-4000:]
    assert 'Distributed training: True' in out
    assert 'Processes: 2 (CPU)' in out
    assert 'FutureWarning' not in out, out[-4000:]
    ckpt = str(work / 'epoch_1.pth')

    code, single = run_tool([
        'tools/test.py', CONFIG, ckpt, '--work-dir',
        str(tmp_path / 't1'), '--cfg-options'
    ] + opts)
    assert code == 0, single[-4000:]
    code, double = run_tool(
        [
            'bash', 'tools/dist_test.sh', CONFIG, ckpt, '2', '--work-dir',
            str(tmp_path / 't2'), '--cfg-options'
        ] + opts,
        env=env)
    assert code == 0, double[-4000:]
    # 37 test images over 2 processes: the sampler pads one, the metric
    # must count each image once, so the numbers are identical.
    assert METRICS.search(single).group(1) == METRICS.search(double).group(1)
    # The ranks synchronised their BatchNorm and EMA buffers before the
    # last validation and the save: validation measured this checkpoint.
    assert VAL_MAP.findall(out)[-1] == TEST_MAP.findall(single)[-1]


STOPPED_WORKER = """
import os, sys, time
import torch
import torch.distributed as dist
from mmengine.config import Config
from mlic.utils import setup_distributed_for_device
cfg = Config(dict(env_cfg=dict(dist_cfg=dict(backend='nccl', timeout=3))))
setup_distributed_for_device(cfg, 'pytorch')
if int(os.environ['RANK']) == 1:
    time.sleep(90)  # a stopped worker
    sys.exit(0)
dist.all_reduce(torch.ones(1))
"""


def test_stopped_worker_fails_the_others_after_the_timeout(tmp_path):
    script = tmp_path / 'stopped_worker.py'
    script.write_text(STOPPED_WORKER)
    start = time.time()
    code, out = run_tool([
        sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2',
        '--master_port=29618',
        str(script)
    ],
                         timeout=300)
    assert code != 0
    # gloo names the configured timeout (dist_cfg.timeout = 3 s).
    assert 'Timed out waiting 3000ms' in out, out[-3000:]
    assert time.time() - start < 120
