# Copyright (c) mmir contributors. All rights reserved.
"""Loading of 8- and 16-bit infrared images."""
from typing import Optional, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmengine import fileio

from mmir.registry import TRANSFORMS
from ..problems import DatasetError
from .intensity import STRETCH_MODES, stretch_to_uint8

HIGH_BIT_DEPTH_MODES = ('float', ) + STRETCH_MODES


@TRANSFORMS.register_module()
class LoadInfraredImage(BaseTransform):
    """Load an 8- or 16-bit infrared image (PNG, TIFF, JPEG, ...).

    The file is decoded unchanged by OpenCV, so 16-bit data stay 16-bit
    and three channels come in BGR order.  Images that are not uint8
    (16-bit radiometric counts, float TIFF) are handled by
    ``high_bit_depth``:

    - ``'float'``: kept as float32 with the same values (exact: 16-bit
      integers are representable in float32);
    - ``'percentile'``: mapped to uint8, the ``percentiles`` of the image
      becoming 0 and 255, values outside clipped;
    - ``'minmax'``: mapped to uint8 linearly, minimum to 0, maximum to 255.

    **Required Keys:**

    - img_path

    **Added Keys:**

    - img (H x W x 3, or H x W when ``to_three_channels=False`` and the
      file has one channel)
    - img_shape
    - ori_shape

    Args:
        high_bit_depth (str): ``'float'``, ``'percentile'`` or
            ``'minmax'``, see above. Defaults to 'float'.
        percentiles (Tuple[float, float]): Percentiles of
            ``'percentile'``. Defaults to (1.0, 99.0).
        to_three_channels (bool): Replicate a single channel to three.
            Defaults to True.
        to_float32 (bool): Also convert uint8 images to float32.
            Defaults to False.
        backend_args (dict, optional): Arguments of
            ``mmengine.fileio.get``. Defaults to None.
    """

    def __init__(self,
                 high_bit_depth: str = 'float',
                 percentiles: Tuple[float, float] = (1.0, 99.0),
                 to_three_channels: bool = True,
                 to_float32: bool = False,
                 backend_args: Optional[dict] = None) -> None:
        if high_bit_depth not in HIGH_BIT_DEPTH_MODES:
            raise ValueError(f'high_bit_depth must be one of '
                             f'{HIGH_BIT_DEPTH_MODES}, got {high_bit_depth!r}')
        self.high_bit_depth = high_bit_depth
        self.percentiles = tuple(percentiles)
        self.to_three_channels = to_three_channels
        self.to_float32 = to_float32
        self.backend_args = backend_args

    def transform(self, results: dict) -> dict:
        """Load ``results['img_path']``.

        Raises:
            DatasetError: Naming the file if it cannot be decoded or has
                other than 1 or 3 channels.
        """
        path = results['img_path']
        data = np.frombuffer(
            fileio.get(path, backend_args=self.backend_args), np.uint8)
        img = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
        if img is None:
            raise DatasetError(f'{path}: cannot decode the image')
        if img.ndim == 3 and img.shape[2] == 1:
            img = img[..., 0]
        if img.ndim != 2 and img.shape[2] != 3:
            raise DatasetError(
                f'{path}: expected 1 or 3 channels, got {img.shape[2]}')
        if img.dtype != np.uint8:
            img = (
                img.astype(np.float32) if self.high_bit_depth == 'float'
                else stretch_to_uint8(img, self.high_bit_depth,
                                      self.percentiles))
        if self.to_float32:
            img = img.astype(np.float32)
        if self.to_three_channels and img.ndim == 2:
            img = np.repeat(img[..., None], 3, axis=2)
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}('
                f'high_bit_depth={self.high_bit_depth!r}, '
                f'percentiles={self.percentiles}, '
                f'to_three_channels={self.to_three_channels}, '
                f'to_float32={self.to_float32})')

