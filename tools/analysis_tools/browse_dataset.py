# Copyright (c) mmir contributors. All rights reserved.
"""Draw a config's pipeline outputs into one PNG grid.

One row per sample: the loaded image (mask overlay, RoI proposals in
green, the chosen crop in red) and the pipeline's output before packing.
"""
import argparse
import os
import os.path as osp
from typing import List, Optional, Tuple

import cv2
import numpy as np
from mmengine.config import Config, DictAction
from mmengine.registry import DATASETS, init_default_scope

import mmir.datasets  # noqa: F401 (registers mmir's datasets, transforms)
from mmir.datasets.intensity import percentile_stretch

CELL_HEIGHT = 192
ROI_COLOUR = (0, 200, 0)
CROP_COLOUR = (0, 0, 255)


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('config', help='config file')
    parser.add_argument('--output-dir', required=True, help='PNG folder')
    parser.add_argument('--num', type=int, default=8, help='samples')
    parser.add_argument(
        '--phase', default='train', choices=['train', 'val', 'test'])
    parser.add_argument('--seed', type=int, default=0, help='numpy seed')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction, help='overrides')
    return parser.parse_args()


def run_pipeline(transforms: list, results: dict) -> Tuple[dict, dict]:
    """Run ``transforms`` up to packing.

    Returns:
        Tuple[dict, dict]: The sample before the first transform that is
        not a loader, or before the one that adds ``crop_bbox``; and the
        last sample before a ``Pack*`` transform.
    """
    source = None
    for transform in transforms:
        name = type(transform).__name__
        if name.startswith('Pack'):
            break
        before = dict(results)
        if source is None and not name.startswith('Load'):
            source = before
        results = transform(results)
        if 'crop_bbox' in results and 'crop_bbox' not in before:
            source = before
    return source or results, results


def draw(results: dict, palette: Optional[list],
         boxes: List[Tuple[np.ndarray, tuple]]) -> np.ndarray:
    """An image panel ``CELL_HEIGHT`` high, with mask and boxes drawn."""
    img = results['img']
    if img.dtype != np.uint8:
        img = percentile_stretch(img)
    if img.ndim == 2:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    mask = results.get('gt_seg_map')
    if palette and mask is not None and mask.shape == img.shape[:2]:
        colours = np.array(palette, dtype=np.float32)[:, ::-1]
        labelled = mask < len(colours)
        img = img.astype(np.float32)
        img[labelled] = (img[labelled] + colours[mask[labelled]]) / 2
        img = img.astype(np.uint8)
    scale = CELL_HEIGHT / img.shape[0]
    img = cv2.resize(img, (round(img.shape[1] * scale), CELL_HEIGHT),
                     interpolation=cv2.INTER_NEAREST)
    for box_set, colour in boxes:
        for x1, y1, x2, y2 in np.asarray(box_set).reshape(-1, 4) * scale:
            cv2.rectangle(img, (int(x1), int(y1)), (int(x2) - 1, int(y2) - 1),
                          colour, 1)
    return img


def grid(rows: List[List[np.ndarray]]) -> np.ndarray:
    """Stack panels into rows and columns, padding to equal widths."""
    width = max(panel.shape[1] for row in rows for panel in row)
    padded = [[cv2.copyMakeBorder(p, 2, 2, 2, width - p.shape[1] + 2,
                                  cv2.BORDER_CONSTANT) for p in row]
              for row in rows]
    return np.vstack([np.hstack(row) for row in padded])


def main() -> None:
    """Build the dataset, run its pipeline on the first samples, save."""
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    dataset = DATASETS.build(cfg[f'{args.phase}_dataloader']['dataset'])
    palette = dataset.metainfo.get('palette')
    np.random.seed(args.seed)
    rows = []
    for index in range(min(args.num, len(dataset))):
        source, output = run_pipeline(dataset.pipeline.transforms,
                                      dataset.get_data_info(index))
        boxes = [(source.get('rois', []), ROI_COLOUR),
                 (output.get('crop_bbox', []), CROP_COLOUR)]
        rows.append([draw(source, palette, boxes), draw(output, palette, [])])
    os.makedirs(args.output_dir, exist_ok=True)
    path = osp.join(args.output_dir, f'{args.phase}_grid.png')
    cv2.imwrite(path, grid(rows))
    print(f'{len(rows)} samples drawn to {path}')


if __name__ == '__main__':
    main()
