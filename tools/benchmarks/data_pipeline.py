# Copyright (c) mmir contributors. All rights reserved.
"""Time mmir's data pipelines on SynthIR: images/s and ms per transform.

(a) PAD pre-training: 16-bit LoadInfraredImage, InfraredNormalize,
RandomRoICrop, RandomFlip, PackInputs; (b) the segmentation training
pipeline of ``configs/_base_/datasets/synthir_soda.py``.  One process, no
data loader; RoIs are read before timing.  Numbers are only printed.
"""
import argparse
import copy
import os
import os.path as osp
import sys
import tempfile
import time
from typing import List

import cv2
import numpy as np
from mmengine.config import Config
from mmengine.registry import DATASETS, init_default_scope

from mmir.datasets import generate_synthir
from mmir.datasets.converters.rois import generate_rois, load_rois
from mmir.registry import TRANSFORMS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SEG_CONFIG = osp.join(REPO, 'configs/_base_/datasets/synthir_soda.py')


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        '--data-root', help='SynthIR tree; default: generate one in a temp '
        'dir. RoIs are written to <data-root>/roi if missing')
    parser.add_argument('--num-images', type=int, default=100)
    parser.add_argument('--height', type=int, default=256)
    parser.add_argument('--width', type=int, default=320)
    parser.add_argument('--crop-size', type=int, default=224)
    parser.add_argument('--repeats', type=int, default=3,
                        help='passes over the images')
    parser.add_argument('--workers', type=int, default=2,
                        help='processes for RoI generation')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args()


def time_pipeline(title: str, transforms: list, samples: List[dict],
                  repeats: int) -> None:
    """Run every sample through ``transforms`` and print the timings."""
    seconds = np.zeros(len(transforms))
    for _ in range(repeats):
        for sample in samples:
            results = copy.deepcopy(sample)
            for i, transform in enumerate(transforms):
                start = time.perf_counter()
                results = transform(results)
                seconds[i] += time.perf_counter() - start
    count = repeats * len(samples)
    print(f'{title}: {count / seconds.sum():.1f} images/s '
          f'({count} images)')
    for transform, total in zip(transforms, seconds):
        print(f'  {type(transform).__name__:<24}'
              f'{total / count * 1e3:8.3f} ms/image')


def pad_pipeline(root: str, crop_size: int) -> tuple:
    """Transforms and samples of (a): radiometric images and their RoIs."""
    transforms = [
        TRANSFORMS.build(cfg) for cfg in (
            dict(type='LoadInfraredImage', high_bit_depth='float'),
            dict(type='InfraredNormalize', mode='percentile'),
            dict(type='RandomRoICrop', scale=crop_size),
            dict(type='RandomFlip', prob=0.5),
            dict(type='mmpretrain.PackInputs'),
        )
    ]
    stems = sorted(
        osp.splitext(name)[0]
        for name in os.listdir(osp.join(root, 'radiometric')))
    samples = [
        dict(img_path=osp.join(root, 'radiometric', stem + '.png'),
             rois=load_rois(osp.join(root, 'roi', stem + '.txt')))
        for stem in stems
    ]
    return transforms, samples


def seg_pipeline(root: str) -> tuple:
    """Transforms and samples of (b), from the SynthIR SODA config."""
    cfg = Config.fromfile(SEG_CONFIG).train_dataloader.dataset
    cfg.data_root = osp.join(root, 'soda/InfraredSemanticLabel')
    init_default_scope('mmseg')
    dataset = DATASETS.build(cfg)
    samples = [dataset.get_data_info(i) for i in range(len(dataset))]
    return dataset.pipeline.transforms, samples


def benchmark(root: str, args: argparse.Namespace) -> None:
    """Write missing RoIs, then time both pipelines."""
    if not osp.isdir(osp.join(root, 'roi')):
        start = time.perf_counter()
        summary = generate_rois(
            osp.join(root, 'radiometric'), osp.join(root, 'roi'),
            workers=args.workers)
        took = time.perf_counter() - start
        print(f'RoIs: {summary["boxes"]} boxes for {summary["images"]} '
              f'images in {took:.1f} s ({args.workers} workers)')
    np.random.seed(args.seed)
    time_pipeline('(a) PAD pre-training pipeline',
                  *pad_pipeline(root, args.crop_size), args.repeats)
    time_pipeline('(b) SynthIR-SODA segmentation training pipeline',
                  *seg_pipeline(root), args.repeats)


def main() -> None:
    """Benchmark on the given tree or on a fresh one."""
    args = parse_args()
    print(f'python {sys.version.split()[0]}, numpy {np.__version__}, '
          f'opencv {cv2.__version__}')
    if args.data_root:
        benchmark(args.data_root, args)
        return
    with tempfile.TemporaryDirectory() as root:
        generate_synthir(
            root,
            num_images=args.num_images,
            height=args.height,
            width=args.width,
            seed=args.seed,
            layouts=('soda', ))
        print(f'SynthIR: {args.num_images} images of '
              f'{args.height}x{args.width}')
        benchmark(root, args)


if __name__ == '__main__':
    main()
