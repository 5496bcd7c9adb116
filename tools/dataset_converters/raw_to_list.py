"""Write the MLIC reference's list format from a raw dataset layout.

    python tools/dataset_converters/raw_to_list.py \
        {MSCOCO,VOC2007,NUSWIDE,VG500} DATA_ROOT OUT_DIR
        [--missing-images skip] [--absolute-paths] [--overwrite]

Writes ``OUT_DIR/train.txt`` and ``OUT_DIR/test.txt`` (``<image path>\\t
<label>,<label>,...`` with label names; image paths relative to OUT_DIR,
which the list configs name as ``data_root``, so the lists move with the
data, or absolute with ``--absolute-paths``),
``OUT_DIR/label.txt`` (label names in label order) and, for VOC 2007,
``OUT_DIR/ignore.npy`` (test lines x labels, 1 = ignore). The samples are
those of mlic's dataset types, so the reference code and mlic's
``LabelListDataset`` see exactly the labels mlic trains on. Each file is
written to a temporary name and renamed, so an interrupted run leaves no
partial list behind; existing files are replaced only with ``--overwrite``.
"""
import argparse
import os
import os.path as osp

import numpy as np

from mlic import register_all_modules
from mlic.registry import DATASETS
from mlic.utils import atomic_write
from mlic.utils.cli import output_dir_problems, refuse, run_tool

SPLITS = {
    'MSCOCO': ('train', 'test'),
    'VOC2007': ('trainval', 'test'),
    'NUSWIDE': ('train', 'test'),
    'VG500': ('train', 'test'),
}


def convert(dataset_type,
            data_root,
            out_dir,
            missing_images=None,
            overwrite=False,
            absolute_paths=False):
    """Write the list files; returns the paths written."""
    register_all_modules(init_default_scope=False)
    os.makedirs(out_dir, exist_ok=True)
    names = ['train.txt', 'test.txt', 'label.txt']
    if dataset_type == 'VOC2007':
        names.append('ignore.npy')
    existing = [n for n in names if osp.exists(osp.join(out_dir, n))]
    if existing and not overwrite:
        raise FileExistsError(f'{out_dir} already has {existing}; pass '
                              '--overwrite to replace them')
    extra = {}
    if missing_images is not None:
        extra['missing_images'] = missing_images
    written = []
    classes = None
    for split, out_name in zip(SPLITS[dataset_type],
                               ('train.txt', 'test.txt')):
        ds = DATASETS.build(
            dict(type=dataset_type, data_root=data_root, split=split, **extra))
        classes = list(ds.metainfo['classes'])
        infos = [ds.get_data_info(i) for i in range(len(ds))]
        for name in classes:
            if ',' in name or '\t' in name:
                raise ValueError(f'label {name!r} cannot be written in the '
                                 'list format (it has a comma or tab)')
        base = osp.abspath(out_dir)

        def written_path(img_path):
            path = osp.abspath(img_path)
            return path if absolute_paths else osp.relpath(path, base)

        lines = ''.join(f'{written_path(info["img_path"])}\t'
                        f'{",".join(classes[i] for i in info["gt_label"])}\n'
                        for info in infos)
        path = osp.join(out_dir, out_name)
        atomic_write(path, lambda f: f.write(lines.encode('utf-8')))
        written.append(path)
        if dataset_type == 'VOC2007' and out_name == 'test.txt':
            ignore = np.zeros((len(infos), len(classes)), dtype=np.int64)
            for row, info in enumerate(infos):
                ignore[row, info.get('gt_label_difficult', [])] = 1
            path = osp.join(out_dir, 'ignore.npy')
            atomic_write(path, lambda f: np.save(f, ignore))
            written.append(path)
    path = osp.join(out_dir, 'label.txt')
    atomic_write(
        path,
        lambda f: f.write(''.join(f'{c}\n' for c in classes).encode('utf-8')))
    written.append(path)
    return written


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('dataset', choices=sorted(SPLITS))
    parser.add_argument('data_root')
    parser.add_argument('out_dir')
    parser.add_argument(
        '--missing-images', choices=['error', 'skip'], help='NUS-WIDE only')
    parser.add_argument(
        '--overwrite',
        '--force',
        action='store_true',
        help='replace list files that exist already')
    parser.add_argument(
        '--absolute-paths',
        action='store_true',
        help='write absolute image paths (default: relative to OUT_DIR)')
    args = parser.parse_args()
    if args.missing_images and args.dataset != 'NUSWIDE':
        parser.error('--missing-images applies to NUSWIDE only')
    refuse(
        output_dir_problems(
            args.out_dir,
            'OUT_DIR',
            files=['train.txt', 'test.txt', 'label.txt', 'ignore.npy'],
            force=args.overwrite,
            force_flag='--overwrite'))
    for path in convert(args.dataset, args.data_root, args.out_dir,
                        args.missing_images, args.overwrite,
                        args.absolute_paths):
        print(f'wrote {path}')


if __name__ == '__main__':
    run_tool(main)
