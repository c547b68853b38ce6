# Copyright (c) mmir contributors. All rights reserved.
"""Every class SynthIR labels is visible in its 8-bit images.

The contrast of a labelled region is the difference of the mean 8-bit
intensity inside it and on a ring (7x7 dilation minus the region).  The
bicycles of the first SynthIR release, thin ambient-temperature strokes,
failed this with a median of about 8 levels.
"""
import os.path as osp
from collections import deque

import cv2
import numpy as np
import pytest

from mmir.datasets import SODA_CLASSES
from mmir.datasets.synthir import generate_synthir
from mmir.datasets.synthir.visibility import (VISIBILITY_THRESHOLD,
                                              class_visibility,
                                              region_contrasts,
                                              synthir_visibility)

SODA = 'soda/InfraredSemanticLabel'
NUM_IMAGES = 40


@pytest.fixture(scope='module')
def tree(tmp_path_factory) -> str:
    """40 SynthIR images at the default 96x128, SODA layout only."""
    root = str(tmp_path_factory.mktemp('synthir_visibility'))
    generate_synthir(root, num_images=NUM_IMAGES, seed=0, layouts=['soda'])
    return root


def components(mask: np.ndarray) -> list:
    """8-connected components of a boolean mask, by breadth-first search."""
    seen = np.zeros_like(mask)
    found = []
    for start in zip(*np.nonzero(mask)):
        if seen[start]:
            continue
        seen[start] = True
        queue, members = deque([start]), []
        while queue:
            y, x = queue.popleft()
            members.append((y, x))
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    ny, nx = y + dy, x + dx
                    if (0 <= ny < mask.shape[0] and 0 <= nx < mask.shape[1]
                            and mask[ny, nx] and not seen[ny, nx]):
                        seen[ny, nx] = True
                        queue.append((ny, nx))
        region = np.zeros_like(mask)
        region[tuple(np.array(members).T)] = True
        found.append(region)
    return found


def dilate(mask: np.ndarray, size: int) -> np.ndarray:
    """Binary dilation by a size x size square, as an OR of shifts."""
    pad = size // 2
    padded = np.pad(mask, pad)
    out = np.zeros_like(mask)
    for dy in range(size):
        for dx in range(size):
            out |= padded[dy:dy + mask.shape[0], dx:dx + mask.shape[1]]
    return out


def test_every_labelled_class_is_visible(tree):
    report = synthir_visibility(tree)
    assert report['images'] == NUM_IMAGES
    classes = report['classes']
    present = [name for name, row in classes.items() if row['regions']]
    assert {'person', 'car', 'bicycle', 'road', 'sky'} <= set(present)
    for name in present:
        median = classes[name]['median_contrast']
        assert median >= VISIBILITY_THRESHOLD, (
            f'{name}: median contrast {median:.1f} < '
            f'{VISIBILITY_THRESHOLD}: {classes[name]}')
    assert report['flagged'] == []
    # Few bicycles are invisible (the first release had a quarter < 3).
    assert classes['bicycle']['low_fraction'] < 0.1


def test_bicycle_contrast_matches_a_direct_computation(tree):
    bicycle = SODA_CLASSES.index('bicycle')
    contrasts, pixels, total = [], 0, 0
    for stem in (f'{i:05d}' for i in range(NUM_IMAGES)):
        image = cv2.imread(
            osp.join(tree, SODA, 'JPEGImages', stem + '.jpg'),
            cv2.IMREAD_GRAYSCALE).astype(np.float64)
        label = cv2.imread(
            osp.join(tree, SODA, 'SegmentationClassPNG', stem + '.png'),
            cv2.IMREAD_UNCHANGED)
        pixels += int((label == bicycle).sum())
        total += label.size
        for region in components(label == bicycle):
            ring = dilate(region, 7) & ~region
            contrasts.append(abs(image[region].mean() - image[ring].mean()))
    row = synthir_visibility(tree)['classes']['bicycle']
    assert row['id'] == bicycle
    assert row['regions'] == len(contrasts) > 10
    assert row['median_contrast'] == pytest.approx(np.median(contrasts))
    assert row['low_fraction'] == pytest.approx(
        np.mean(np.array(contrasts) < 3))
    assert row['pixel_share'] == pytest.approx(pixels / total)
    assert np.median(contrasts) >= VISIBILITY_THRESHOLD


def test_region_contrasts_on_a_drawn_image():
    image = np.full((20, 30), 40, np.uint8)
    label = np.zeros((20, 30), np.uint8)
    image[5:9, 5:9], label[5:9, 5:9] = 100, 1
    # A region at the border: its ring is cut by the image edge.
    image[:3, 25:], label[:3, 25:] = 70, 1
    # A region of class 2 as bright as its surround: invisible.
    label[12:16, 15:25] = 2
    contrasts = region_contrasts(image, label)
    assert sorted(contrasts[1]) == pytest.approx([30.0, 60.0])
    assert contrasts[2] == pytest.approx([0.0])
    report = class_visibility([(image, label)],
                              dict(background=0, square=1, flat=2))
    assert report['square']['median_contrast'] == pytest.approx(45.0)
    assert not report['square']['flagged'] and report['flat']['flagged']
    assert report['flat']['low_fraction'] == 1.0
    assert report['square']['pixel_share'] == pytest.approx(
        (16 + 15) / 600)
    with pytest.raises(ValueError, match='odd'):
        region_contrasts(image, label, ring_size=6)


def test_a_folder_without_a_tree_fails_clearly(tmp_path):
    with pytest.raises(FileNotFoundError, match='meta.json'):
        synthir_visibility(str(tmp_path))
