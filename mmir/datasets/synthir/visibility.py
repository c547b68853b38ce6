# Copyright (c) mmir contributors. All rights reserved.
"""How visible each labelled class of a SynthIR tree is in its 8-bit images.

A label is only learnable if the image shows something where it is.  For
every connected region of a class (8-connectivity) in a label map, the
contrast is the absolute difference between the mean 8-bit intensity
inside the region and the mean over its ring: the region dilated by a
7x7 square, minus the region itself.  Per class this module reports the
share of the pixels, the number of regions, the median contrast and the
fraction of regions below 3 levels, and flags a class whose median
contrast is below the visibility threshold.

Threshold: a median of 15 levels.  The same object masks laid on plain
ground or road of other SynthIR scenes, where nothing is, differ from
their rings by a median of about 1 level, and 99 % of them by less than
12-13 levels (smooth ground temperature, vignetting, column stripes,
noise and JPEG).  A class passes when at least half of its regions stand
out more than 99 % of empty ones do.  At SynthIR's typical gain of 4-7
levels per kelvin (the 1-99 percentile stretch), 15 levels are 2-4 K.
In the first SynthIR release, bicycles (IoU 0 in the demo) had a median
of 8 levels, against 49-104 for person, car, building, tree and sky.
"""
import json
import os
import os.path as osp
from typing import Dict, Iterable, List, Optional, Tuple

import cv2
import numpy as np

from .layouts import SegLayout, build_layouts

VISIBILITY_THRESHOLD = 15.0
LOW_CONTRAST = 3.0
RING_SIZE = 7


def region_contrasts(image: np.ndarray,
                     label: np.ndarray,
                     ring_size: int = RING_SIZE) -> Dict[int, List[float]]:
    """Contrast of every connected region of every label id of one image.

    Args:
        image (np.ndarray): (H, W) 8-bit image.
        label (np.ndarray): (H, W) integer label ids.
        ring_size (int): Side of the square dilation that makes the ring
            around a region. Defaults to 7.

    Returns:
        Dict[int, List[float]]: Label id -> the absolute difference, in
        8-bit levels, of the mean intensity inside each region and on its
        ring.  A region without a ring (it fills the image) is left out.
    """
    if ring_size < 3 or ring_size % 2 == 0:
        raise ValueError(f'ring_size must be odd and >= 3, got {ring_size}')
    if image.shape[:2] != label.shape:
        raise ValueError(f'image {image.shape} and label {label.shape} '
                         'differ in size')
    image = image.astype(np.float64)
    if image.ndim == 3:
        image = image.mean(axis=2)
    h, w = label.shape
    pad = ring_size // 2
    kernel = np.ones((ring_size, ring_size), np.uint8)
    contrasts: Dict[int, List[float]] = {}
    for class_id in np.unique(label):
        count, components, stats, _ = cv2.connectedComponentsWithStats(
            (label == class_id).astype(np.uint8), connectivity=8)
        for index in range(1, count):
            x, y, bw, bh = stats[index, :4]
            x0, y0 = max(x - pad, 0), max(y - pad, 0)
            x1, y1 = min(x + bw + pad, w), min(y + bh + pad, h)
            region = components[y0:y1, x0:x1] == index
            ring = cv2.dilate(region.astype(np.uint8), kernel).astype(bool)
            ring &= ~region
            if not ring.any():
                continue
            crop = image[y0:y1, x0:x1]
            contrast = abs(crop[region].mean() - crop[ring].mean())
            contrasts.setdefault(int(class_id), []).append(float(contrast))
    return contrasts


def class_visibility(samples: Iterable[Tuple[np.ndarray, np.ndarray]],
                     class_ids: Dict[str, int],
                     threshold: float = VISIBILITY_THRESHOLD,
                     low: float = LOW_CONTRAST,
                     ring_size: int = RING_SIZE) -> Dict[str, dict]:
    """Per-class visibility over pairs of 8-bit image and label map.

    Args:
        samples (Iterable[Tuple[np.ndarray, np.ndarray]]): (image, label)
            pairs.
        class_ids (Dict[str, int]): Class name -> its id in the labels.
        threshold (float): A class whose median contrast is below this is
            flagged. Defaults to 15.0.
        low (float): Regions below this contrast count as invisible.
            Defaults to 3.0.
        ring_size (int): Dilation size of the ring. Defaults to 7.

    Returns:
        Dict[str, dict]: Class name -> ``id``, ``pixel_share`` (fraction
        of all labelled pixels), ``regions``, ``median_contrast`` and
        ``low_fraction`` (None without regions) and ``flagged`` (True
        when the class has regions and a median below ``threshold``).
    """
    pixels = {name: 0 for name in class_ids}
    contrasts: Dict[str, List[float]] = {name: [] for name in class_ids}
    names = {class_id: name for name, class_id in class_ids.items()}
    total = 0
    for image, label in samples:
        total += label.size
        ids, counts = np.unique(label, return_counts=True)
        for class_id, num in zip(ids.tolist(), counts.tolist()):
            if class_id in names:
                pixels[names[class_id]] += num
        for class_id, values in region_contrasts(image, label,
                                                 ring_size).items():
            if class_id in names:
                contrasts[names[class_id]].extend(values)
    report = {}
    for name, class_id in class_ids.items():
        values = np.asarray(contrasts[name])
        median = float(np.median(values)) if values.size else None
        report[name] = dict(
            id=class_id,
            pixel_share=pixels[name] / max(total, 1),
            regions=int(values.size),
            median_contrast=median,
            low_fraction=float((values < low).mean())
            if values.size else None,
            flagged=median is not None and median < threshold)
    return report


def _seg_layout(layout: str) -> SegLayout:
    """The writer of a segmentation layout, for its folders and ids."""
    writer = build_layouts([layout])[0]
    if not isinstance(writer, SegLayout):
        raise ValueError(f'{layout!r} is not a segmentation layout')
    return writer


def synthir_class_ids(root: str, layout: str = 'soda') -> Dict[str, int]:
    """SynthIR class name -> id in the label PNGs of one layout.

    Read from ``meta.json`` (``classes`` and ``label_ids``); trees written
    before ``label_ids`` existed get the ids of the layout's writer.
    Classes the layout merges into its background are left out.

    Args:
        root (str): Root of a SynthIR tree.
        layout (str): A segmentation layout. Defaults to 'soda'.

    Returns:
        Dict[str, int]: Class name -> label id, in SynthIR's class order.
    """
    with open(osp.join(root, 'meta.json')) as f:
        meta = json.load(f)
    ids = meta.get('label_ids', {}).get(layout)
    if ids is None:
        ids = _seg_layout(layout).label_ids(meta['classes'])
    return {name: ids[name] for name in meta['classes'] if name in ids}


def read_synthir_layout(root: str,
                        layout: str = 'soda',
                        num_images: Optional[int] = None
                        ) -> List[Tuple[np.ndarray, np.ndarray]]:
    """Read the 8-bit images and label maps a layout of a tree holds.

    Args:
        root (str): Root of a SynthIR tree.
        layout (str): A segmentation layout. Defaults to 'soda'.
        num_images (int, optional): Read only the first images, by stem.
            Defaults to None (all).

    Returns:
        List[Tuple[np.ndarray, np.ndarray]]: (image, label) pairs.
    """
    writer = _seg_layout(layout)
    base = osp.join(root, writer.root)
    ann_dir = osp.join(base, writer.ann_dir)
    stems = sorted(
        osp.splitext(name)[0] for name in _listdir(ann_dir)
        if name.endswith('.png'))
    if num_images is not None:
        stems = stems[:num_images]
    samples = []
    for stem in stems:
        image = _imread(
            osp.join(base, writer.img_dir, stem + writer.img_suffix),
            cv2.IMREAD_GRAYSCALE)
        label = _imread(osp.join(ann_dir, stem + '.png'),
                        cv2.IMREAD_UNCHANGED)
        samples.append((image, label))
    return samples


def synthir_visibility(root: str,
                       layout: str = 'soda',
                       num_images: Optional[int] = None,
                       threshold: float = VISIBILITY_THRESHOLD,
                       low: float = LOW_CONTRAST,
                       ring_size: int = RING_SIZE) -> dict:
    """Visibility report of every class of a SynthIR tree.

    Args:
        root (str): Root of a SynthIR tree.
        layout (str): A segmentation layout. Defaults to 'soda'.
        num_images (int, optional): Use only the first images. Defaults
            to None (all).
        threshold (float): Median contrast below which a class is
            flagged. Defaults to 15.0.
        low (float): Contrast below which a region counts as invisible.
            Defaults to 3.0.
        ring_size (int): Dilation size of the ring. Defaults to 7.

    Returns:
        dict: ``layout``, ``images``, ``threshold``, ``low``,
        ``ring_size``, ``classes`` (see :func:`class_visibility`) and
        ``flagged`` (names of the flagged classes).
    """
    class_ids = synthir_class_ids(root, layout)
    samples = read_synthir_layout(root, layout, num_images)
    if not samples:
        raise FileNotFoundError(f'no {layout} label maps under {root}')
    classes = class_visibility(samples, class_ids, threshold, low,
                               ring_size)
    return dict(
        layout=layout,
        images=len(samples),
        threshold=threshold,
        low=low,
        ring_size=ring_size,
        classes=classes,
        flagged=[name for name, row in classes.items() if row['flagged']])


def format_table(report: dict) -> str:
    """Render a report of :func:`synthir_visibility` as a Markdown table.

    Args:
        report (dict): The report.

    Returns:
        str: One header, one row per class, and a summary line.
    """
    low = f'{report["low"]:g}'
    lines = [
        f'| class | pixel share (%) | regions | median contrast | '
        f'regions < {low} levels (%) | visible |',
        '| --- | ---: | ---: | ---: | ---: | --- |'
    ]
    for name, row in report['classes'].items():
        if row['regions']:
            median = f'{row["median_contrast"]:.1f}'
            low_share = f'{100 * row["low_fraction"]:.1f}'
            verdict = 'FLAGGED' if row['flagged'] else 'yes'
        else:
            median = low_share = verdict = '-'
        lines.append(f'| {name} | {100 * row["pixel_share"]:.2f} | '
                     f'{row["regions"]} | {median} | {low_share} | '
                     f'{verdict} |')
    flagged = ', '.join(report['flagged']) or 'none'
    lines.append(f'\n{report["images"]} images of the {report["layout"]} '
                 f'layout; threshold: median contrast >= '
                 f'{report["threshold"]:g} levels; flagged: {flagged}')
    return '\n'.join(lines)


def _listdir(path: str) -> List[str]:
    """List a folder, failing with its name if it does not exist."""
    if not osp.isdir(path):
        raise FileNotFoundError(f'no folder {path}')
    return os.listdir(path)


def _imread(path: str, flags: int) -> np.ndarray:
    """Read an image, failing loudly."""
    image = cv2.imread(path, flags)
    if image is None:
        raise FileNotFoundError(f'could not read {path}')
    return image
