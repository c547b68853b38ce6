# Copyright (c) mmir contributors. All rights reserved.
"""Generation of a whole SynthIR tree."""
import json
import os.path as osp
from typing import Dict, Sequence, Tuple

import numpy as np

from ..class_names import SYNTHIR_CLASSES
from ..intensity import percentile_stretch
from .layouts import SPLITS, SegLayout, _write, build_layouts
from .scene import CENTIKELVIN, render_scene

LAYOUTS = ('soda', 'mfnet', 'scut_seg', 'coco')


def assign_splits(num_images: int, seed: int,
                  ratios: Tuple[float, float, float]) -> Dict[str, list]:
    """Deal image stems into train / val / test by a seeded permutation.

    Args:
        num_images (int): Number of images.
        seed (int): Seed of the permutation.
        ratios (Tuple[float, float, float]): Train, val and test fractions.

    Returns:
        Dict[str, list]: Split name -> sorted stems.
    """
    if len(ratios) != 3 or min(ratios) <= 0 or abs(sum(ratios) - 1) > 1e-6:
        raise ValueError(f'split ratios must be 3 positive numbers summing '
                         f'to 1, got {ratios}')
    order = np.random.default_rng(seed).permutation(num_images)
    bounds = np.rint(np.cumsum(ratios)[:2] * num_images).astype(int)
    return {
        split: sorted(f'{i:05d}' for i in part)
        for split, part in zip(SPLITS, np.split(order, bounds))
    }


def generate_synthir(out_dir: str,
                     num_images: int = 300,
                     height: int = 96,
                     width: int = 128,
                     seed: int = 0,
                     layouts: Sequence[str] = LAYOUTS,
                     split_ratios: Tuple[float, float,
                                         float] = (0.6, 0.2, 0.2)) -> dict:
    """Generate SynthIR, deterministically for a given seed.

    ``out_dir/radiometric/<stem>.png`` holds the 16-bit images
    (centikelvin); each layout writes the 8-bit images (percentile 1-99
    automatic gain control) with labels in its own dataset's format;
    ``out_dir/meta.json`` records what was generated, including the id of
    each class in the label maps of each segmentation layout
    (``label_ids``).

    Args:
        out_dir (str): Root folder of the tree.
        num_images (int): Number of scenes. Defaults to 300.
        height (int): Image height. Defaults to 96.
        width (int): Image width. Defaults to 128.
        seed (int): Seed; scene ``i`` uses ``(seed, i)``. Defaults to 0.
        layouts (Sequence[str]): Layouts to write. Defaults to all of
            ``soda``, ``mfnet``, ``scut_seg`` and ``coco``.
        split_ratios (Tuple[float, float, float]): Train, val and test
            fractions. Defaults to (0.6, 0.2, 0.2).

    Returns:
        dict: The content of ``meta.json``.
    """
    if num_images < 3:
        raise ValueError(f'need at least 3 images, got {num_images}')
    splits = assign_splits(num_images, seed, split_ratios)
    writers = build_layouts(layouts)
    num_objects = 0
    for index in range(num_images):
        stem = f'{index:05d}'
        scene = render_scene(
            np.random.default_rng([seed, index]), height, width)
        num_objects += len(scene.instances)
        _write(osp.join(out_dir, 'radiometric', stem + '.png'),
               scene.radiometric)
        image = percentile_stretch(scene.radiometric)
        for writer in writers:
            writer.write(out_dir, stem, image, scene)
    for writer in writers:
        writer.finish(out_dir, splits)
    meta = dict(
        classes=list(SYNTHIR_CLASSES),
        radiometric_unit=f'kelvin * {CENTIKELVIN:g} (uint16)',
        display_mapping='percentile 1-99 stretch to uint8',
        seed=seed,
        height=height,
        width=width,
        layouts=list(layouts),
        label_ids={
            name: writer.label_ids()
            for name, writer in zip(layouts, writers)
            if isinstance(writer, SegLayout)
        },
        splits={split: len(stems)
                for split, stems in splits.items()},
        num_objects=num_objects)
    with open(osp.join(out_dir, 'meta.json'), 'w') as f:
        json.dump(meta, f, indent=2)
    return meta
