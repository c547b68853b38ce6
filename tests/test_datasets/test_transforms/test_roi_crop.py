# Copyright (c) mmir contributors. All rights reserved.
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from PIL import Image
from torchvision.transforms import InterpolationMode
from torchvision.transforms import functional as TF

from mmir.datasets import RandomRoICrop
from ...conftest import REPO

H, W = 200, 300
ROIS = np.array([[20, 30, 100, 110], [150, 60, 260, 180]], np.float32)


def image(dtype=np.uint8):
    return np.random.default_rng(0).integers(0, 256, (H, W, 3)).astype(dtype)


def crop(transform, rois, seed, dtype=np.uint8):
    np.random.seed(seed)
    results = dict(img=image(dtype))
    if rois is not None:
        results['rois'] = rois
    return transform(results)


def overlaps(box, rois):
    x1, y1, x2, y2 = box
    return ((np.minimum(x2, rois[:, 2]) > np.maximum(x1, rois[:, 0]))
            & (np.minimum(y2, rois[:, 3]) > np.maximum(y1, rois[:, 1])))


def test_keys_and_exact_output_size():
    transform = RandomRoICrop(scale=(48, 64))
    for dtype in (np.uint8, np.float32):
        results = crop(transform, ROIS, 0, dtype)
        assert results['img'].shape == (48, 64, 3)
        assert results['img'].dtype == dtype
        assert results['img_shape'] == (48, 64)
        assert results['crop_bbox'].dtype == np.float32
        assert isinstance(results['crop_from_roi'], bool)
    assert crop(RandomRoICrop(scale=32), None, 0)['img'].shape[:2] == (32, 32)


def test_roi_crops_are_jittered_proposals():
    transform = RandomRoICrop(scale=32, p=1.0)
    for seed in range(50):
        results = crop(transform, ROIS, seed)
        assert results['crop_from_roi']
        x1, y1, x2, y2 = box = results['crop_bbox']
        assert overlaps(box, ROIS).any()
        assert 0 <= x1 and 0 <= y1 and x2 <= W - 1 and y2 <= H - 1
        assert min(x2 - x1, y2 - y1) >= 60
        assert any(is_jittered(box, roi) for roi in ROIS)


def is_jittered(box, roi):
    """Whether ``box`` is ``roi`` with its centre moved by at most 0.4
    of its size and its sides scaled by at most 1.5 (or 60 px), +2 px for
    rounding; clipping to the image does not break this for ``ROIS``."""
    size = roi[2:] - roi[:2]
    centre = (box[:2] + box[2:]) / 2
    return bool((abs(centre - (roi[:2] + roi[2:]) / 2) <= 0.4 * size + 2
                 ).all() and (box[2:] - box[:2] <=
                              np.maximum(1.5 * size, 60) + 1).all())


def test_pixels_come_from_the_crop_box():
    img = np.arange(H * W, dtype=np.float32).reshape(H, W)
    np.random.seed(3)
    transform = RandomRoICrop(scale=(H, W), p=1.0, size_jitter=(1.0, 1.0),
                              center_jitter=0.0, interpolation='nearest')
    results = transform(dict(img=img, rois=ROIS[:1]))
    np.testing.assert_array_equal(results['crop_bbox'], [20, 30, 100, 110])
    assert results['img'].min() == img[30, 20]
    assert results['img'].max() == img[109, 99]


def area(box):
    x1, y1, x2, y2 = box
    return (x2 - x1) * (y2 - y1)


def test_large_box_rule_at_p0():
    transform = RandomRoICrop(scale=32, p=0.0)
    from_roi = [crop(transform, ROIS, seed) for seed in range(30)]
    from_roi = [r for r in from_roi if r['crop_from_roi']]
    # most crops are RoI crops, so the rule below is checked on them
    assert len(from_roi) >= 25
    assert all(area(r['crop_bbox']) >= 0.15 * H * W for r in from_roi)
    # ... and it matters: at p=1 the same RoIs give smaller boxes too
    assert sum(
        area(crop(RandomRoICrop(scale=32, p=1.0), ROIS, seed)['crop_bbox']) <
        0.15 * H * W for seed in range(30)) >= 5
    # A 40x40 RoI gives at most 60x60 boxes, 6% of the image: never used.
    small = np.array([[100, 100, 140, 140]], np.float32)
    assert not any(
        crop(transform, small, seed)['crop_from_roi'] for seed in range(20))
    assert all(
        crop(RandomRoICrop(scale=32, p=1.0), small, seed)['crop_from_roi']
        for seed in range(20))


@pytest.mark.parametrize('rois', [
    None,
    np.zeros((0, 4), np.float32),
    np.array([[-10, 20, 80, 100], [250, 20, 310, 100]], np.float32),
    np.array([[10, 10, 45, 120], [10, 10, 120, 39]], np.float32),
])
def test_fallback_without_usable_rois(rois):
    transform = RandomRoICrop(scale=32)
    for seed in range(10):
        results = crop(transform, rois, seed)
        assert not results['crop_from_roi']
        x1, y1, x2, y2 = results['crop_bbox']
        assert 0 <= x1 < x2 <= W and 0 <= y1 < y2 <= H
        assert (x2 - x1) * (y2 - y1) >= 0.19 * H * W


def test_outside_rois_are_skipped_not_used():
    rois = np.array([[-50, -50, 100, 100], [150, 60, 260, 180]], np.float32)
    transform = RandomRoICrop(scale=32, p=1.0)
    for seed in range(30):
        results = crop(transform, rois, seed)
        assert results['crop_from_roi']
        assert overlaps(results['crop_bbox'], rois[1:]).all()


def test_deterministic_under_a_seed():
    transform = RandomRoICrop(scale=32)
    first = [crop(transform, ROIS, seed) for seed in range(8)]
    again = [crop(transform, ROIS, seed) for seed in range(8)]
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a['crop_bbox'], b['crop_bbox'])
        np.testing.assert_array_equal(a['img'], b['img'])
    boxes = {tuple(r['crop_bbox']) for r in first}
    assert len(boxes) > 4


def test_checks_p():
    with pytest.raises(ValueError, match='p must be'):
        RandomRoICrop(p=1.5)
    assert 'p=0.85' in repr(RandomRoICrop())


def test_jitter_spans_the_spec_ranges():
    img = np.zeros((400, 600), np.uint8)
    roi = np.array([[250, 150, 350, 250]], np.float32)
    transform = RandomRoICrop(scale=16, p=1.0)
    np.random.seed(0)
    boxes = np.stack(
        [transform(dict(img=img, rois=roi))['crop_bbox'] for _ in range(300)])
    shifts = ((boxes[:, :2] + boxes[:, 2:]) / 2 - 300 + [0, 100]) / 100
    factors = (boxes[:, 2:] - boxes[:, :2]) / 100
    for axis in (0, 1):
        assert -0.42 <= shifts[:, axis].min() < -0.3
        assert 0.3 < shifts[:, axis].max() <= 0.42
        assert 0.69 <= factors[:, axis].min() < 0.75
        assert 1.45 < factors[:, axis].max() <= 1.51


BOX = (20, 30, 100, 110)  # x1 y1 x2 y2, 80 x 80: ROIS[0] without jitter


def exact_roi_crop(scale, backend='pillow'):
    return RandomRoICrop(scale=scale, p=1.0, size_jitter=(1.0, 1.0),
                         center_jitter=0.0, interpolation='bicubic',
                         backend=backend)


def pil_reference(img, size):
    """Crop ``BOX``, then PIL's bicubic to ``size`` (h, w), per channel;
    uint16 through PIL's 32-bit integer mode, clipped."""
    planes = img[..., None] if img.ndim == 2 else img
    out = []
    for c in range(planes.shape[-1]):
        plane = planes[..., c]
        if plane.dtype == np.uint16:
            plane = plane.astype(np.int32)
        elif plane.dtype == np.float64:
            plane = plane.astype(np.float32)
        resized = np.asarray(
            Image.fromarray(plane).crop(BOX).resize(
                (size[1], size[0]), Image.Resampling.BICUBIC))
        if img.dtype == np.uint16:
            resized = resized.clip(0, 65535)
        out.append(resized.astype(img.dtype))
    out = np.stack(out, axis=-1)
    return out[..., 0] if img.ndim == 2 else out


@pytest.mark.parametrize('size', [(32, 24), (120, 100)],
                         ids=['shrink', 'enlarge'])
def test_pillow_backend_is_pads_torchvision_resize(size):
    """uint8 RGB: PAD's call, torchvision's resized_crop on a PIL image."""
    img = image()
    np.random.seed(0)
    results = exact_roi_crop(size)(dict(img=img.copy(), rois=ROIS[:1]))
    np.testing.assert_array_equal(results['crop_bbox'], BOX)
    x1, y1, x2, y2 = BOX
    expected = np.asarray(
        TF.resized_crop(
            Image.fromarray(img), y1, x1, y2 - y1, x2 - x1, list(size),
            InterpolationMode.BICUBIC))
    assert results['img'].dtype == np.uint8
    np.testing.assert_array_equal(results['img'], expected)
    if size[0] < y2 - y1:
        # OpenCV's bicubic does not antialias: other numbers
        np.random.seed(0)
        cv2_img = exact_roi_crop(size, 'cv2')(
            dict(img=img.copy(), rois=ROIS[:1]))['img']
        assert np.abs(cv2_img.astype(int) - expected).max() > 10


@pytest.mark.parametrize('size', [(32, 24), (120, 100)],
                         ids=['shrink', 'enlarge'])
@pytest.mark.parametrize('dtype,channels', [
    (np.uint8, None),
    (np.uint8, 1),
    (np.uint16, None),
    (np.uint16, 2),
    (np.float32, 3),
    (np.float64, None),
])
def test_pillow_backend_equals_pil_per_channel(size, dtype, channels):
    rng = np.random.default_rng(1)
    shape = (H, W) if channels is None else (H, W, channels)
    if dtype == np.uint16:
        img = rng.integers(0, 65536, shape).astype(dtype)
    elif dtype == np.uint8:
        img = rng.integers(0, 256, shape).astype(dtype)
    else:
        img = rng.standard_normal(shape).astype(dtype)
    np.random.seed(0)
    results = exact_roi_crop(size)(dict(img=img, rois=ROIS[:1]))
    np.testing.assert_array_equal(results['crop_bbox'], BOX)
    assert results['img'].shape == size + shape[2:]
    assert results['img'].dtype == dtype
    np.testing.assert_array_equal(results['img'], pil_reference(img, size))
    if dtype == np.uint16 and size[0] > 80:
        # bicubic overshoots on noise: the clipping was exercised
        assert results['img'].max() == 65535 and results['img'].min() == 0


def test_pillow_backend_rejects_what_pil_cannot_resize():
    with pytest.raises(TypeError, match='int32'):
        exact_roi_crop(32)(
            dict(img=np.zeros((H, W), np.int32), rois=ROIS[:1]))
    with pytest.raises(ValueError, match='area'):
        RandomRoICrop(interpolation='area', backend='pillow')
    with pytest.raises(ValueError, match='backend'):
        RandomRoICrop(backend='turbojpeg')


@pytest.mark.parametrize('config', ['msip.py', 'msip_synthir.py'])
def test_msip_configs_resize_as_pad(config):
    cfg = Config.fromfile(osp.join(REPO, 'configs/_base_/datasets', config))
    crops = [
        t for t in cfg.train_dataloader.dataset.pipeline
        if t.type == 'mmir.RandomRoICrop'
    ]
    assert len(crops) == 1
    kwargs = {k: v for k, v in crops[0].items() if k != 'type'}
    transform = RandomRoICrop(**kwargs)
    assert transform.backend == 'pillow'
    assert transform.interpolation == 'bicubic'
