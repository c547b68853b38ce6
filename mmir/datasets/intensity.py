# Copyright (c) mmir contributors. All rights reserved.
"""Intensity mappings from radiometric infrared data to display range."""
import numpy as np


def percentile_stretch(image: np.ndarray,
                       low: float = 1.0,
                       high: float = 99.0) -> np.ndarray:
    """Map an image to 8 bits by clipping at two percentiles.

    This is the automatic gain control of thermal cameras: the ``low`` and
    ``high`` percentiles of the frame become 0 and 255, values outside are
    clipped.  A constant frame maps to 0.

    Args:
        image (np.ndarray): Image of any numeric dtype, e.g. 16-bit
            radiometric counts.
        low (float): Lower percentile in [0, 100]. Defaults to 1.0.
        high (float): Upper percentile in [0, 100], greater than ``low``.
            Defaults to 99.0.

    Returns:
        np.ndarray: The uint8 image of the same shape.
    """
    if not 0 <= low < high <= 100:
        raise ValueError(
            f'need 0 <= low < high <= 100, got low={low}, high={high}')
    lo, hi = np.percentile(image, (low, high))
    scale = 255.0 / max(hi - lo, np.finfo(np.float32).eps)
    stretched = (image.astype(np.float32) - lo) * scale
    return np.clip(np.rint(stretched), 0, 255).astype(np.uint8)
