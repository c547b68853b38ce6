# Copyright (c) mmir contributors. All rights reserved.
import numpy as np
import pytest
from PIL import Image

from mmir.datasets import (INFRARED_MEAN, INFRARED_STD, InfraredNormalize,
                           RGB2Gray)


def ramp(dtype=np.uint16):
    """A 3-channel ramp of 100 distinct values, 10000 .. 10990."""
    values = np.arange(10000, 11000, 10).reshape(10, 10)
    return np.repeat(values[..., None], 3, axis=2).astype(dtype)


@pytest.mark.parametrize('dtype', [np.uint16, np.float32])
def test_minmax_maps_extremes(dtype):
    results = InfraredNormalize(mode='minmax')(dict(img=ramp(dtype)))
    img = results['img']
    assert img.dtype == np.uint8 and img.shape == (10, 10, 3)
    assert img.min() == 0 and img.max() == 255
    assert (np.diff(img[..., 0].ravel()) >= 0).all()


def test_percentile_clips_tails():
    img = InfraredNormalize(percentiles=(5, 95))(dict(img=ramp()))['img']
    flat = img[..., 1].ravel()
    assert (flat[:5] == 0).all() and (flat[-5:] == 255).all()
    assert (np.diff(flat[6:-6].astype(int)) > 0).all()


def test_constant_image_and_bad_mode():
    flat = np.full((4, 4), 300, np.uint16)
    assert not InfraredNormalize()(dict(img=flat))['img'].any()
    with pytest.raises(ValueError, match='fixed'):
        InfraredNormalize(mode='fixed')


def test_fixed_statistics_match_downstream_configs():
    # The data preprocessor gets them in 0-255 units (mean 96.9255).
    assert round(INFRARED_MEAN * 255, 4) == 96.9255
    assert round(INFRARED_STD * 255, 4) == 47.7105


@pytest.mark.parametrize('order', ['rgb', 'bgr'])
def test_rgb2gray_equals_pil_luma(order):
    rgb = np.random.default_rng(1).integers(0, 256, (32, 48, 3), np.uint8)
    img = rgb if order == 'rgb' else rgb[..., ::-1]
    out = RGB2Gray(channel_order=order)(dict(img=img))['img']
    expected = np.asarray(Image.fromarray(rgb).convert('L'))
    assert out.shape == (32, 48, 3) and out.dtype == np.uint8
    for channel in range(3):
        np.testing.assert_array_equal(out[..., channel], expected)


def test_rgb2gray_other_inputs():
    rgb16 = np.array([[[1000, 2000, 3000]]], np.uint16)
    out = RGB2Gray(channel_order='rgb')(dict(img=rgb16))['img']
    assert out.dtype == np.uint16
    assert out[0, 0].tolist() == [1815] * 3
    gray = np.arange(6, dtype=np.uint8).reshape(2, 3)
    out = RGB2Gray()(dict(img=gray))['img']
    assert out.shape == (2, 3, 3) and (out[..., 2] == gray).all()
    with pytest.raises(ValueError, match='channel_order'):
        RGB2Gray(channel_order='hsv')
