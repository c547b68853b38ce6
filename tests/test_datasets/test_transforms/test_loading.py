# Copyright (c) mmir contributors. All rights reserved.
import cv2
import numpy as np
import pytest

from mmir.datasets import DatasetError, LoadInfraredImage
from mmir.registry import TRANSFORMS


def radiometric(shape=(12, 16)):
    """uint16 counts using the whole 16-bit range."""
    rng = np.random.default_rng(0)
    return rng.integers(0, 65536, shape, dtype=np.uint16)


def load(path, **kwargs):
    return LoadInfraredImage(**kwargs)(dict(img_path=str(path)))


@pytest.mark.parametrize('suffix', ['.png', '.tiff'])
def test_16bit_round_trip_is_exact(tmp_path, suffix):
    counts = radiometric()
    path = tmp_path / f'ir{suffix}'
    assert cv2.imwrite(str(path), counts)
    results = load(path, to_three_channels=False)
    assert results['img'].dtype == np.float32
    np.testing.assert_array_equal(results['img'], counts)
    assert results['img_shape'] == results['ori_shape'] == (12, 16)


def test_16bit_three_channel_tiff(tmp_path):
    counts = radiometric((8, 10, 3))
    cv2.imwrite(str(tmp_path / 'ir.tiff'), counts)
    img = load(tmp_path / 'ir.tiff')['img']
    np.testing.assert_array_equal(img, counts)


def test_one_channel_is_replicated_on_request(tmp_path):
    gray = radiometric().astype(np.uint8)
    cv2.imwrite(str(tmp_path / 'ir.png'), gray)
    img = load(tmp_path / 'ir.png')['img']
    assert img.shape == (12, 16, 3) and img.dtype == np.uint8
    for channel in range(3):
        np.testing.assert_array_equal(img[..., channel], gray)
    kept = load(tmp_path / 'ir.png', to_three_channels=False)['img']
    np.testing.assert_array_equal(kept, gray)
    floats = load(tmp_path / 'ir.png', to_float32=True)['img']
    assert floats.dtype == np.float32


def test_16bit_to_8bit_rules(tmp_path):
    counts = np.arange(1000, 1000 + 101 * 4, 4, dtype=np.uint16)
    counts = np.tile(counts, (3, 1))
    cv2.imwrite(str(tmp_path / 'ir.png'), counts)
    minmax = load(tmp_path / 'ir.png', high_bit_depth='minmax')['img']
    assert minmax.dtype == np.uint8
    assert minmax.min() == 0 and minmax.max() == 255
    np.testing.assert_array_equal(minmax[0, :, 0],
                                  np.rint(np.arange(101) * 2.55))
    clipped = load(
        tmp_path / 'ir.png', high_bit_depth='percentile',
        percentiles=(10, 90))['img'][0, :, 0]
    assert (clipped[:11] == 0).all() and (clipped[90:] == 255).all()
    assert 0 < clipped[50] < 255


def test_bad_files_are_named(tmp_path):
    corrupt = tmp_path / 'corrupt.png'
    corrupt.write_bytes(b'not a png')
    with pytest.raises(DatasetError, match=str(corrupt)):
        load(corrupt)
    rgba = tmp_path / 'rgba.png'
    cv2.imwrite(str(rgba), np.zeros((4, 4, 4), np.uint8))
    with pytest.raises(DatasetError, match='rgba.png: expected 1 or 3'):
        load(rgba)
    with pytest.raises(FileNotFoundError, match='missing.png'):
        load(tmp_path / 'missing.png')


def test_built_from_registry_and_checked():
    transform = TRANSFORMS.build(
        dict(type='mmir.LoadInfraredImage', high_bit_depth='minmax'))
    assert isinstance(transform, LoadInfraredImage)
    assert "high_bit_depth='minmax'" in repr(transform)
    with pytest.raises(ValueError, match='high_bit_depth'):
        LoadInfraredImage(high_bit_depth='shift')
