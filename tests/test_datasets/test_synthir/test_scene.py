# Copyright (c) mmir contributors. All rights reserved.
"""A SynthIR scene is thermally plausible."""
import numpy as np

from mmir.datasets.synthir import render_scene
from mmir.datasets.synthir.canvas import CLASS_ID
from mmir.datasets.synthir.scene import CENTIKELVIN


def test_scene_is_thermally_plausible():
    scene = render_scene(np.random.default_rng(0), 96, 128)
    kelvin = scene.radiometric.astype(np.float64) / CENTIKELVIN
    sky = kelvin[scene.label == CLASS_ID['sky']]
    people = kelvin[scene.label == CLASS_ID['person']]
    assert scene.radiometric.dtype == np.uint16
    assert 200 < kelvin.min() and kelvin.max() < 350
    assert sky.size and people.size
    assert people.mean() > sky.mean() + 10
    assert scene.instances, 'the scene should contain objects'
    for obj in scene.instances:
        x, y, w, h = obj['bbox']
        assert w > 0 and h > 0 and x + w <= 128 and y + h <= 96
