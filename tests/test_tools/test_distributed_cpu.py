import re

from .helpers import CONFIG, run_tool, tiny_multidigits_options

METRICS = re.compile(r'Epoch\(test\).*?(multi-label/mAP: .*?)\s+data_time')


def test_two_process_cpu_train_and_test_match_single_process(tmp_path):
    work = tmp_path / 'w'
    opts = tiny_multidigits_options(
        str(tmp_path / 'd'), epochs=1, num_train=64, num_test=37)
    env = dict(PORT='29617')
    code, out = run_tool(['bash', 'tools/dist_train.sh', CONFIG, '2',
                          '--work-dir', str(work), '--cfg-options'] + opts,
                         env=env)
    assert code == 0, out[-4000:]
    assert 'Distributed training: True' in out
    assert 'GPU number: 2' in out  # mmengine's name for the world size
    ckpt = str(work / 'epoch_1.pth')

    code, single = run_tool(['tools/test.py', CONFIG, ckpt, '--work-dir',
                             str(tmp_path / 't1'), '--cfg-options'] + opts)
    assert code == 0, single[-4000:]
    code, double = run_tool(['bash', 'tools/dist_test.sh', CONFIG, ckpt, '2',
                             '--work-dir', str(tmp_path / 't2'),
                             '--cfg-options'] + opts, env=env)
    assert code == 0, double[-4000:]
    # 37 test images over 2 processes: the sampler pads one, the metric
    # must count each image once, so the numbers are identical.
    assert METRICS.search(single).group(1) == METRICS.search(double).group(1)
