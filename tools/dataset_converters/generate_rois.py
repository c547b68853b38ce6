# Copyright (c) mmir contributors. All rights reserved.
"""Write PAD's offline RoI proposals: ``roi/<stem>.txt`` for a folder, or
the RoI file of every sample of a config's training set (e.g. MSIP's list,
where ``MSIPDataset`` reads them)."""
import argparse
import json
import os.path as osp

from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmir.datasets.converters.rois import (generate_dataset_rois,
                                           generate_rois)
from mmir.registry import DATASETS


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        'image_dir', nargs='?', help='folder of images, e.g. thermal/')
    source.add_argument(
        '--config',
        help='config whose train_dataloader.dataset has roi_file (MSIP)')
    parser.add_argument(
        '--out-dir',
        help='folder mode: folder of the RoI files; defaults to roi/ '
        'beside image_dir')
    parser.add_argument(
        '--data-root', help='config mode: override the dataset data_root')
    parser.add_argument(
        '--workers', type=int, default=4, help='worker processes')
    return parser.parse_args()


def main() -> None:
    """Propose, filter and write the RoIs; print the summary."""
    args = parse_args()
    if args.config:
        cfg = Config.fromfile(args.config)
        init_default_scope(cfg.get('default_scope', 'mmpretrain'))
        dataset_cfg = cfg.train_dataloader.dataset
        if args.data_root:
            dataset_cfg.data_root = args.data_root
        summary = generate_dataset_rois(
            DATASETS.build(dataset_cfg), workers=args.workers)
    else:
        image_dir = osp.normpath(args.image_dir)
        out_dir = args.out_dir or osp.join(osp.dirname(image_dir), 'roi')
        summary = generate_rois(image_dir, out_dir, workers=args.workers)
    print(json.dumps(summary, indent=2))


if __name__ == '__main__':
    main()
