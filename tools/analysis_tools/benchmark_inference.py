"""Folder inference: MultiLabelInferencer against a loop of inference_model,
and PyTorch eager against ONNX Runtime, side by side on the CPU.

    python tools/analysis_tools/benchmark_inference.py [--num-images 1000]
        [--rounds 3] [--skip-folder] [--skip-onnx] [--skip-coco]
        [--work-dir DIR]

1. Folder: ``--num-images`` MultiDigits scenes (64 px PNGs, generated) are
   predicted by the MultiDigits MLIC model (random weights: speed does not
   depend on them) (a) one ``inference_model`` call per image, as a user
   loop would, and (b) one ``MultiLabelInferencer`` call over the folder,
   batch 32, 2 decoding workers. Rounds alternate a and b, and the median
   of each is printed with the ratio.
2. Deployment: latency (ms per batch) and throughput (images/s) of the
   MultiDigits model at 64 px and the MS-COCO MLIC model (ResNet-101) at
   448 px, batch 1 and 16, in PyTorch eager (``torch.no_grad``) and ONNX
   Runtime (CPU provider, dynamic-batch export), alternating, medians.

Prints Markdown tables. Compare figures within one run: a busy machine
slows every column alike, not their ratios.
"""
import argparse
import os
import os.path as osp
import statistics
import tempfile
import time
import warnings

import torch

from mlic.apis import MultiLabelInferencer, inference_model, init_model
from mlic.utils.package_files import find_config


def median_time(fn, rounds):
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def folder_benchmark(num_images, rounds, work_dir):
    from mlic.datasets import MultiDigits
    data = MultiDigits(
        data_root=osp.join(work_dir, 'multidigits_bench'),
        split='test',
        num_train=10,
        num_test=num_images)
    folder = osp.dirname(data.get_data_info(0)['img_path'])
    config = find_config('configs/mlic/mlic_multidigits.py')
    torch.manual_seed(0)
    inferencer = MultiLabelInferencer(config, False, device='cpu')
    paths = sorted(
        osp.join(folder, n) for n in os.listdir(folder) if n.endswith('.png'))
    assert len(paths) == num_images, (len(paths), folder)

    def loop():
        for path in paths:
            inference_model(inferencer.model, path)

    def batched():
        inferencer(folder, batch_size=32, show_progress=False)

    loop_times, batched_times = [], []
    for _ in range(rounds):  # alternate, so drift hits both alike
        loop_times.append(median_time(loop, 1))
        batched_times.append(median_time(batched, 1))
    a, b = statistics.median(loop_times), statistics.median(batched_times)
    print(f'\n### Folder of {num_images} MultiDigits images, CPU '
          f'({torch.get_num_threads()} threads), median of {rounds}\n')
    print('| method | seconds | images/s |\n| --- | --- | --- |')
    print(f'| loop of inference_model (1 image per call) | {a:.2f} | '
          f'{num_images / a:.0f} |')
    print(f'| MultiLabelInferencer (batch 32, 2 workers) | {b:.2f} | '
          f'{num_images / b:.0f} |')
    print(f'\nspeed-up: {a / b:.2f}x')


def deploy_benchmark(rounds, work_dir, coco=True):
    import onnxruntime as ort

    from mlic.apis.onnx_export import SigmoidScores, export_onnx
    print(f'\n### PyTorch eager vs ONNX Runtime, CPU '
          f'({torch.get_num_threads()} threads), median of {rounds}\n')
    print('| model | input | batch | PyTorch ms/batch | ONNX Runtime '
          'ms/batch | PyTorch images/s | ONNX Runtime images/s |')
    print('| --- | --- | --- | --- | --- | --- | --- |')
    models = [('MLIC MultiDigits (ResNet-18 narrow)',
               'configs/mlic/mlic_multidigits.py', 64)]
    if coco:
        models.append(
            ('MLIC MS-COCO (ResNet-101)', 'configs/mlic/mlic_coco.py', 448))
    for name, config, size in models:
        torch.manual_seed(0)
        model = init_model(find_config(config))
        path = osp.join(work_dir, f'{size}.onnx')
        export_onnx(model, path, (size, size), dynamic_batch=True)
        session = ort.InferenceSession(
            path, providers=['CPUExecutionProvider'])
        wrapper = SigmoidScores(model).eval()
        for batch in (1, 16):
            x = torch.randn(batch, 3, size, size)
            x_np = x.numpy()
            with torch.no_grad():
                wrapper(x)  # warm-up
                session.run(None, {'input': x_np})
                eager, onnx_times = [], []
                for _ in range(rounds):
                    eager.append(median_time(lambda: wrapper(x), 1))
                    onnx_times.append(
                        median_time(lambda: session.run(None, {'input': x_np}),
                                    1))
            a, b = statistics.median(eager), statistics.median(onnx_times)
            print(f'| {name} | {size} px | {batch} | {a * 1e3:.1f} | '
                  f'{b * 1e3:.1f} | {batch / a:.1f} | {batch / b:.1f} |')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--num-images', type=int, default=1000)
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--skip-folder', action='store_true')
    parser.add_argument('--skip-onnx', action='store_true')
    parser.add_argument(
        '--skip-coco',
        action='store_true',
        help='leave the 448 px MS-COCO model out of the ONNX table')
    parser.add_argument('--work-dir')
    args = parser.parse_args()
    warnings.filterwarnings('ignore')
    with tempfile.TemporaryDirectory() as tmp:
        work_dir = args.work_dir or tmp
        if not args.skip_folder:
            folder_benchmark(args.num_images, args.rounds, work_dir)
        if not args.skip_onnx:
            deploy_benchmark(args.rounds, work_dir, coco=not args.skip_coco)


if __name__ == '__main__':
    main()
