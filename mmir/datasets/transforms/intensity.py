# Copyright (c) mmir contributors. All rights reserved.
"""Intensity transforms: automatic gain control and grayscale."""
from typing import Tuple

import numpy as np
from mmcv.transforms import BaseTransform

from mmir.registry import TRANSFORMS
from ..intensity import percentile_stretch

#: Mean and std of infrared images in [0, 1] (PAD's MSIP, UNIP's InfMix).
#: They belong in the model's data preprocessor, scaled by 255; see
#: ``docs/datasets/transforms.md``.
INFRARED_MEAN = 0.3801
INFRARED_STD = 0.1871

STRETCH_MODES = ('percentile', 'minmax')

#: ITU-R 601-2 luma in PIL's fixed point: L = (19595 R + 38470 G + 7471 B
#: + 2 ** 15) >> 16, i.e. 0.299 R + 0.587 G + 0.114 B rounded.
LUMA_FIXED_RGB = np.array([19595, 38470, 7471], dtype=np.uint32)
LUMA_RGB = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def stretch_to_uint8(img: np.ndarray,
                     mode: str = 'percentile',
                     percentiles: Tuple[float, float] = (1.0, 99.0)
                     ) -> np.ndarray:
    """Map an image to 8 bits by automatic gain control.

    ``percentile`` maps the ``percentiles`` of the whole image (all
    channels together) linearly to 0 and 255 and clips outside;
    ``minmax`` maps its minimum to 0 and maximum to 255.

    Args:
        img (np.ndarray): Image of any numeric dtype.
        mode (str): ``'percentile'`` or ``'minmax'``.
            Defaults to 'percentile'.
        percentiles (Tuple[float, float]): Low and high percentiles of
            ``percentile`` mode. Defaults to (1.0, 99.0).

    Returns:
        np.ndarray: The uint8 image.
    """
    if mode == 'minmax':
        return percentile_stretch(img, 0.0, 100.0)
    return percentile_stretch(img, *percentiles)


@TRANSFORMS.register_module()
class InfraredNormalize(BaseTransform):
    """Map an infrared image to the 8-bit display range.

    Automatic gain control as thermal cameras do it, per image: see
    :func:`stretch_to_uint8`.  Use it after :class:`LoadInfraredImage` with
    ``high_bit_depth='float'`` to turn 16-bit radiometric counts into an
    8-bit image.  It also applies to 8-bit images (a contrast stretch).

    The fixed UNIP/PAD statistics (:data:`INFRARED_MEAN`,
    :data:`INFRARED_STD`) are not applied here: the model's data
    preprocessor normalises whole batches with them.

    **Required Keys:**

    - img

    **Modified Keys:**

    - img (uint8, same shape)

    Args:
        mode (str): ``'percentile'`` or ``'minmax'``.
            Defaults to 'percentile'.
        percentiles (Tuple[float, float]): Low and high percentiles that
            become 0 and 255 in ``percentile`` mode. Defaults to
            (1.0, 99.0).
    """

    def __init__(self,
                 mode: str = 'percentile',
                 percentiles: Tuple[float, float] = (1.0, 99.0)) -> None:
        if mode not in STRETCH_MODES:
            raise ValueError(
                f'mode must be one of {STRETCH_MODES}, got {mode!r}')
        self.mode = mode
        self.percentiles = tuple(percentiles)

    def transform(self, results: dict) -> dict:
        """Stretch ``results['img']`` to uint8."""
        results['img'] = stretch_to_uint8(results['img'], self.mode,
                                          self.percentiles)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(mode={self.mode!r}, '
                f'percentiles={self.percentiles})')


@TRANSFORMS.register_module()
class RGB2Gray(BaseTransform):
    """Convert to ITU-R 601-2 luma with three identical channels (InfMix).

    UNIP converts every InfMix image, infrared or not, with PIL's
    ``convert('L')`` and back to three channels.  For uint8 images this is
    the same integer formula, ``(19595 R + 38470 G + 7471 B + 32768) >>
    16``, so results equal PIL's; other dtypes use ``0.299 R + 0.587 G +
    0.114 B`` (rounded for integer dtypes).  A single-channel image is
    only replicated.

    **Required Keys:**

    - img

    **Modified Keys:**

    - img (H x W x 3, same dtype)

    Args:
        channel_order (str): Channel order of the input, ``'bgr'`` (what
            mmcv's loaders give) or ``'rgb'``. Defaults to 'bgr'.
    """

    def __init__(self, channel_order: str = 'bgr') -> None:
        if channel_order not in ('bgr', 'rgb'):
            raise ValueError(f"channel_order must be 'bgr' or 'rgb', got "
                             f'{channel_order!r}')
        self.channel_order = channel_order

    def transform(self, results: dict) -> dict:
        """Replace ``results['img']`` by its luma on three channels."""
        img = results['img']
        if img.ndim == 3 and img.shape[2] == 1:
            img = img[..., 0]
        if img.ndim == 3:
            img = self._luma(img)
        results['img'] = np.repeat(img[..., None], 3, axis=2)
        return results

    def _luma(self, img: np.ndarray) -> np.ndarray:
        """The H x W luma of an H x W x 3 image, in its dtype."""
        step = -1 if self.channel_order == 'bgr' else 1
        if img.dtype == np.uint8:
            fixed = img.astype(np.uint32) @ LUMA_FIXED_RGB[::step]
            return ((fixed + 32768) >> 16).astype(np.uint8)
        luma = img.astype(np.float32) @ LUMA_RGB[::step]
        if np.issubdtype(img.dtype, np.integer):
            info = np.iinfo(img.dtype)
            luma = np.clip(np.rint(luma), info.min, info.max)
        return luma.astype(img.dtype)

    def __repr__(self) -> str:
        return f'{type(self).__name__}(channel_order={self.channel_order!r})'
