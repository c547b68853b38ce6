# Copyright (c) mmir contributors. All rights reserved.
"""Reading and checking the source images and label maps of a converter.

Checks never raise on their own: they return problem lines, each naming
its file, so that a converter can collect them over the whole tree and
report them once with :func:`mmir.datasets.problems.raise_if_problems`.
"""
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

IGNORE_INDEX = 255


def read_image(path: str,
               channels: Sequence[int]) -> Tuple[Optional[np.ndarray],
                                                 List[str]]:
    """Decode an image as stored and check its channel count.

    Args:
        path (str): Image file.
        channels (Sequence[int]): Accepted channel counts, e.g. ``(1, 3)``.

    Returns:
        Tuple[Optional[np.ndarray], List[str]]: The image (``None`` on a
        problem) and the problems found.
    """
    image = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if image is None:
        return None, [f'{path}: cannot be read as an image']
    found = 1 if image.ndim == 2 else image.shape[2]
    if found not in channels:
        wanted = ' or '.join(str(c) for c in channels)
        return None, [f'{path}: {found} channels, expected {wanted}']
    if image.dtype != np.uint8:
        return None, [f'{path}: {image.dtype} pixels, expected uint8']
    return image, []


def read_label(path: str,
               num_classes: int) -> Tuple[Optional[np.ndarray], List[str]]:
    """Read a label map of class ids and check its values.

    Palette (P-mode) PNGs give their palette indices, which are the ids;
    grey PNGs their values.  Valid values are ``0 .. num_classes - 1`` and
    255 (ignored).

    Args:
        path (str): Label file.
        num_classes (int): Number of classes of the dataset.

    Returns:
        Tuple[Optional[np.ndarray], List[str]]: The uint8 (H, W) id map
        (``None`` on a problem) and the problems found.
    """
    try:
        with Image.open(path) as img:
            label = np.asarray(img)
    except (OSError, UnidentifiedImageError):
        return None, [f'{path}: cannot be read as a label map']
    if label.ndim != 2:
        return None, [f'{path}: {label.shape[2]} channels, expected a '
                      f'single-channel map of class ids']
    bad = np.unique(label[(label >= num_classes) & (label != IGNORE_INDEX)])
    if bad.size:
        shown = ', '.join(str(v) for v in bad[:10])
        return None, [f'{path}: label values {shown} >= {num_classes} '
                      f'classes (only {IGNORE_INDEX} may exceed them)']
    return label.astype(np.uint8), []
