# Copyright (c) mmir contributors. All rights reserved.
"""PAD's object-sensitive random RoI crop."""
from typing import Optional, Sequence, Tuple, Union

import mmcv
import numpy as np
from mmcv.transforms.utils import cache_randomness
from mmpretrain.datasets.transforms import RandomResizedCrop
from PIL import Image

from mmir.registry import TRANSFORMS

Box = Tuple[int, int, int, int]

_RESAMPLING = getattr(Image, 'Resampling', Image)  # Pillow < 9.1: Image
PIL_FILTERS = {
    'nearest': _RESAMPLING.NEAREST,
    'bilinear': _RESAMPLING.BILINEAR,
    'bicubic': _RESAMPLING.BICUBIC,
    'lanczos': _RESAMPLING.LANCZOS,
}
# Image dtype -> the dtype its channels are resized in by PIL, i.e. the PIL
# modes 'L', 'I' (32-bit), 'F' and 'F'.
PIL_DTYPES = {
    np.dtype(np.uint8): np.uint8,
    np.dtype(np.uint16): np.int32,
    np.dtype(np.float32): np.float32,
    np.dtype(np.float64): np.float32,
}


def pil_resize(img: np.ndarray,
               size: Tuple[int, int],
               interpolation: str = 'bicubic') -> np.ndarray:
    """Resize an image with PIL, one channel at a time.

    PIL widens its filter by the scale factor when shrinking, i.e. it
    antialiases, as torchvision's ``resized_crop`` on PIL images does.
    Each channel is resized as its own PIL image: uint8 as mode 'L' (the
    same numbers as resizing an 'RGB' image), uint16 as mode 'I' (32-bit
    integers, clipped to 0..65535 at the end; PIL's 'I;16' mode would also
    clip between its horizontal and vertical passes) and float as 'F'
    (float32 arithmetic; float64 comes back as float64).

    Args:
        img (np.ndarray): (H, W) or (H, W, C) image.
        size (Tuple[int, int]): Output ``(h, w)``.
        interpolation (str): One of ``PIL_FILTERS``. Defaults to 'bicubic'.

    Returns:
        np.ndarray: The resized image, with the dtype and the channel axis
        (if any) of ``img``.

    Raises:
        TypeError: If ``img.dtype`` is not one of ``PIL_DTYPES``.
        ValueError: If ``interpolation`` is not one of ``PIL_FILTERS``.
    """
    work = PIL_DTYPES.get(img.dtype)
    if work is None:
        raise TypeError(f'PIL resizing supports '
                        f'{[str(d) for d in PIL_DTYPES]} images, got '
                        f'{img.dtype}')
    if interpolation not in PIL_FILTERS:
        raise ValueError(f'PIL resizing supports the interpolations '
                         f'{list(PIL_FILTERS)}, got {interpolation!r}')
    planes = img[..., None] if img.ndim == 2 else img
    out = []
    for c in range(planes.shape[-1]):
        plane = Image.fromarray(
            np.ascontiguousarray(planes[..., c], dtype=work))
        plane = plane.resize((size[1], size[0]), PIL_FILTERS[interpolation])
        out.append(np.asarray(plane))
    out = np.stack(out, axis=-1)
    if img.dtype == np.uint16:
        out = out.clip(0, 65535)
    out = out.astype(img.dtype)
    return out[..., 0] if img.ndim == 2 else out


@TRANSFORMS.register_module()
class RandomRoICrop(RandomResizedCrop):
    """Crop around a jittered RoI proposal and stretch to a fixed size.

    The algorithm of PAD's ``RandomRoiCrop`` (spec §4.2).  For an image of
    size W x H and proposals R:

    1. ``need_large = U(0, 1) > p``, drawn once.
    2. Up to ``roi_attempts`` times: pick a RoI ``(x, y, w, h)`` uniformly
       from R; skip it (the attempt is used) unless it lies inside the
       image and ``w, h >= min_roi_size``; jitter its centre,
       ``xc = round(x + w/2) + round(w * U(-c, c))`` and the same for
       ``yc``, and its size per axis, ``w' = max(w * U(a, b), min_size)``
       and the same for ``h'``; take the box
       ``[round(xc - w'/2), round(xc + w'/2)]`` x ``[round(yc - h'/2),
       round(yc + h'/2)]`` clipped to ``[0, W - 1] x [0, H - 1]``; reject
       it if its width or height is below ``min_size``, or if
       ``need_large`` and its area is below ``large_area_ratio * W * H``;
       else use it.
    3. If every attempt fails, or there are no proposals, take the crop of
       mmpretrain's ``RandomResizedCrop`` (``crop_ratio_range``,
       ``aspect_ratio_range``).
    4. Resize the crop to ``scale`` without keeping its aspect ratio.

    PAD resizes with torchvision's ``resized_crop`` on PIL images, BICUBIC,
    and PIL antialiases when it shrinks (its filter widens with the scale
    factor); OpenCV's bicubic reads a fixed 4 x 4 neighbourhood and
    aliases.  ``backend='pillow'`` resizes each channel of the crop with
    PIL (:func:`pil_resize`; uint8, uint16 and float images), which gives
    PAD's numbers for its 8-bit images; the MSIP configs use it.  The
    default stays ``'cv2'``, mmpretrain's, which is faster and reads every
    dtype OpenCV does.

    Draws come from numpy's global RNG in this order: ``need_large``, then
    per attempt the RoI index, the x and y centre jitters and the width
    and height factors, so the crop is reproducible under
    ``np.random.seed``.  A box ``[x1, x2]`` covers columns ``x1 .. x2 - 1``
    as in PAD, so the last row and column are never in a RoI crop.  Only
    ``img`` is cropped: use it for pre-training, not with annotations.

    **Required Keys:**

    - img
    - rois (optional; N x 4 ``x1 y1 x2 y2`` in pixels)

    **Modified Keys:**

    - img
    - img_shape

    **Added Keys:**

    - crop_bbox (float32 ``x1 y1 x2 y2`` of the crop in the input image)
    - crop_from_roi (bool, whether a RoI gave the crop)

    Args:
        scale (int | Sequence[int]): Output size, ``(h, w)`` or one int for
            a square. Defaults to 224.
        p (float): Probability of *not* requiring a large box; PAD's
            ``ratio_p``. Defaults to 0.85.
        roi_attempts (int): Attempts to find a RoI box. Defaults to 20.
        center_jitter (float): Centre shift as a fraction of the RoI size,
            drawn from ``U(-center_jitter, center_jitter)``.
            Defaults to 0.4.
        size_jitter (Tuple[float, float]): Range of the per-axis size
            factor. Defaults to (0.7, 1.5).
        min_size (int): Minimum jittered and clipped box side.
            Defaults to 60.
        min_roi_size (int): Minimum side of a usable RoI. Defaults to 40.
        large_area_ratio (float): Minimum box area, as a fraction of the
            image, when a large box is required. Defaults to 0.15.
        crop_ratio_range (Tuple[float, float]): Area range of the fallback
            crop. Defaults to (0.2, 1.0).
        aspect_ratio_range (Tuple[float, float]): Aspect ratio range of the
            fallback crop. Defaults to (3/4, 4/3).
        max_attempts (int): Attempts of the fallback crop before its
            central crop. Defaults to 10.
        interpolation (str): Resize interpolation; with ``'pillow'`` one
            of ``PIL_FILTERS``. Defaults to 'bicubic'.
        backend (str): Resize backend: ``'cv2'`` (OpenCV through
            ``mmcv.imresize``, no antialiasing) or ``'pillow'`` (PAD's:
            PIL, antialiased when shrinking; uint8, uint16, float32 and
            float64 images with any number of channels).
            Defaults to 'cv2'.
    """

    def __init__(self,
                 scale: Union[int, Sequence[int]] = 224,
                 p: float = 0.85,
                 roi_attempts: int = 20,
                 center_jitter: float = 0.4,
                 size_jitter: Tuple[float, float] = (0.7, 1.5),
                 min_size: int = 60,
                 min_roi_size: int = 40,
                 large_area_ratio: float = 0.15,
                 crop_ratio_range: Tuple[float, float] = (0.2, 1.0),
                 aspect_ratio_range: Tuple[float, float] = (3 / 4, 4 / 3),
                 max_attempts: int = 10,
                 interpolation: str = 'bicubic',
                 backend: str = 'cv2') -> None:
        super().__init__(
            scale,
            crop_ratio_range=crop_ratio_range,
            aspect_ratio_range=aspect_ratio_range,
            max_attempts=max_attempts,
            interpolation=interpolation,
            backend=backend)
        if backend not in ('cv2', 'pillow'):
            raise ValueError(f"backend must be 'cv2' or 'pillow', got "
                             f'{backend!r}')
        if backend == 'pillow' and interpolation not in PIL_FILTERS:
            raise ValueError(f'interpolation must be one of '
                             f"{list(PIL_FILTERS)} with backend='pillow', "
                             f'got {interpolation!r}')
        if not 0 <= p <= 1:
            raise ValueError(f'p must be in [0, 1], got {p}')
        self.p = p
        self.roi_attempts = roi_attempts
        self.center_jitter = center_jitter
        self.size_jitter = tuple(size_jitter)
        self.min_size = min_size
        self.min_roi_size = min_roi_size
        self.large_area_ratio = large_area_ratio

    @cache_randomness
    def roi_box(self, rois: Optional[np.ndarray], height: int,
                width: int) -> Optional[Box]:
        """Steps 1-2: a jittered RoI box, or None if none is found.

        Args:
            rois (np.ndarray, optional): N x 4 ``x1 y1 x2 y2`` proposals.
            height (int): Image height.
            width (int): Image width.

        Returns:
            Box, optional: ``x1, y1, x2, y2`` with ``x2, y2`` exclusive.
        """
        if rois is None or len(rois) == 0:
            return None
        rois = np.asarray(rois, dtype=np.float64).reshape(-1, 4)
        need_large = np.random.rand() > self.p
        for _ in range(self.roi_attempts):
            x1, y1, x2, y2 = rois[np.random.randint(len(rois))]
            w, h = x2 - x1, y2 - y1
            if (x1 < 0 or y1 < 0 or x2 > width or y2 > height
                    or min(w, h) < self.min_roi_size):
                continue
            shift_x, shift_y = np.random.uniform(-self.center_jitter,
                                                 self.center_jitter, 2)
            scale_w, scale_h = np.random.uniform(*self.size_jitter, 2)
            xc = round(x1 + w / 2) + round(w * shift_x)
            yc = round(y1 + h / 2) + round(h * shift_y)
            half_w = max(w * scale_w, self.min_size) / 2
            half_h = max(h * scale_h, self.min_size) / 2
            left = min(max(round(xc - half_w), 0), width - 1)
            right = min(max(round(xc + half_w), 0), width - 1)
            top = min(max(round(yc - half_h), 0), height - 1)
            bottom = min(max(round(yc + half_h), 0), height - 1)
            crop_w, crop_h = right - left, bottom - top
            if min(crop_w, crop_h) < max(self.min_size, 1):
                continue
            if need_large and (crop_w * crop_h <
                               self.large_area_ratio * width * height):
                continue
            return left, top, right, bottom
        return None

    def transform(self, results: dict) -> dict:
        """Crop ``results['img']`` by a RoI box or the fallback crop."""
        img = results['img']
        height, width = img.shape[:2]
        box = self.roi_box(results.get('rois'), height, width)
        results['crop_from_roi'] = box is not None
        if box is None:
            top, left, crop_h, crop_w = self.rand_crop_params(img)
            box = (left, top, left + crop_w, top + crop_h)
        left, top, right, bottom = box
        img = img[top:bottom, left:right]
        if self.backend == 'pillow':
            img = pil_resize(img, tuple(self.scale), self.interpolation)
        else:
            img = mmcv.imresize(
                img, (self.scale[1], self.scale[0]),
                interpolation=self.interpolation,
                backend=self.backend)
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['crop_bbox'] = np.array(box, dtype=np.float32)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(scale={tuple(self.scale)}, '
                f'p={self.p}, roi_attempts={self.roi_attempts}, '
                f'center_jitter={self.center_jitter}, '
                f'size_jitter={self.size_jitter}, '
                f'min_size={self.min_size}, '
                f'min_roi_size={self.min_roi_size}, '
                f'large_area_ratio={self.large_area_ratio}, '
                f'crop_ratio_range={self.crop_ratio_range}, '
                f'aspect_ratio_range={self.aspect_ratio_range}, '
                f'max_attempts={self.max_attempts}, '
                f'interpolation={self.interpolation!r}, '
                f'backend={self.backend!r})')
