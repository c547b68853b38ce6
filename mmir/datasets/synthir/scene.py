# Copyright (c) mmir contributors. All rights reserved.
"""Rendering of one synthetic thermal scene.

A scene is built in kelvin: a cold sky above a horizon, ground at ambient
temperature, a warmer road, buildings and trees, then objects placed with a
simple perspective (nearer is lower and larger): warm people and cars, and
bicycles colder than the ground (ridden ones carry a warm rider).
The temperature field is softened at edges and passed through a sensor
model: vignetting, fixed-pattern column stripes and temporal noise.  The
result is stored as 16-bit radiometric counts in centikelvin.
"""
from dataclasses import dataclass, field
from typing import Dict, List

import cv2
import numpy as np

from .canvas import Canvas
from .objects import bicycle, car, person
INSTANCE_CLASSES = ('person', 'car', 'bicycle')
INSTANCE_PROBS = (0.45, 0.35, 0.2)
# Share of the bicycles that are ridden (the rest are parked).
RIDDEN_PROB = 0.6
CENTIKELVIN = 100.0


@dataclass
class Scene:
    """A rendered scene.

    Attributes:
        radiometric (np.ndarray): (H, W) uint16 temperatures in centikelvin.
        label (np.ndarray): (H, W) uint8 ids into ``SYNTHIR_CLASSES``.
        instances (List[Dict]): One dict per visible object with
            ``category`` (a name in ``INSTANCE_CLASSES``) and ``bbox``
            (``[x, y, w, h]`` in pixels, COCO convention).
    """

    radiometric: np.ndarray
    label: np.ndarray
    instances: List[Dict] = field(default_factory=list)


def _stuff(canvas: Canvas, horizon: int, ambient: float) -> None:
    """Paint sky, buildings, trees and road."""
    rng, h, w = canvas.rng, canvas.height, canvas.width
    sky = ambient - rng.uniform(15, 30)
    canvas.paint(
        cv2.rectangle(canvas.blank(), (0, 0), (w - 1, horizon), 1, -1), sky,
        'sky')
    canvas.temp[:horizon] -= np.linspace(3, 0, horizon)[:, None]
    for _ in range(rng.integers(0, 4)):
        x0 = int(rng.uniform(-0.1, 0.9) * w)
        x1 = x0 + int(rng.uniform(0.15, 0.4) * w)
        top = int(rng.uniform(0.05, 0.8) * horizon)
        bottom = horizon + int(rng.uniform(0.0, 0.05) * h)
        warm = ambient + rng.uniform(-1, 6)
        canvas.paint(
            cv2.rectangle(canvas.blank(), (x0, top), (x1, bottom), 1, -1),
            warm, 'building')
        for wy in range(top + 3, bottom - 3, 6):
            for wx in range(x0 + 2, x1 - 3, 5):
                if rng.random() < 0.4:
                    canvas.temp[wy:wy + 2, max(wx, 0):wx + 2] += 3.0
    for _ in range(rng.integers(0, 4)):
        cx = int(rng.uniform(0, 1) * w)
        base = horizon + int(rng.uniform(0.0, 0.1) * h)
        radius = max(int(rng.uniform(0.05, 0.12) * h), 2)
        leaves = ambient + rng.uniform(-3, 1)
        trunk = cv2.rectangle(canvas.blank(), (cx - 1, base - 2 * radius),
                              (cx + 1, base), 1, -1)
        canvas.paint(trunk, leaves + 1, 'tree')
        crown = cv2.ellipse(canvas.blank(), (cx, base - 2 * radius),
                            (radius, int(radius * 1.3)), 0, 0, 360, 1, -1)
        canvas.paint(crown, leaves, 'tree')
    vanish = int(rng.uniform(0.3, 0.7) * w)
    half_bottom = int(rng.uniform(0.2, 0.45) * w)
    left = int(rng.uniform(0.3, 0.7) * w)
    road = np.array([[vanish - 2, horizon], [vanish + 2, horizon],
                     [left + half_bottom, h - 1], [left - half_bottom, h - 1]],
                    np.int32)
    canvas.paint(
        cv2.fillPoly(canvas.blank(), [road], 1), ambient + rng.uniform(4, 10),
        'road')


def _objects(canvas: Canvas, horizon: int, ambient: float) -> List[str]:
    """Paint 1-6 objects far to near and return the category of each id.

    A ridden bicycle brings its rider, a person with the next id.
    """
    rng, h, w = canvas.rng, canvas.height, canvas.width
    count = int(rng.integers(1, 7))
    names = rng.choice(INSTANCE_CLASSES, count, p=INSTANCE_PROBS)
    bottoms = np.sort(rng.uniform(horizon + 2, h, count)).astype(int)
    categories: List[str] = []
    for name, bottom in zip(names, bottoms):
        categories.append(str(name))
        instance_id = len(categories)
        depth = (bottom - horizon) / max(h - horizon, 1)
        size = max(h * (0.12 + 0.45 * depth), 6.0)
        x = int(rng.uniform(0.05, 0.95) * w)
        if name == 'person':
            person(canvas, x, bottom, size, instance_id)
        elif name == 'car':
            car(canvas, x, bottom, size * 0.5, instance_id, ambient)
        else:
            rider_id = None
            if rng.random() < RIDDEN_PROB:
                categories.append('person')
                rider_id = len(categories)
            bicycle(canvas, x, bottom, size * 0.6, instance_id, ambient,
                     rider_id)
    return categories


def _boxes(instance: np.ndarray, categories: List[str]) -> List[Dict]:
    """Tight boxes of the visible pixels of each object (>= 4 pixels)."""
    boxes = []
    for instance_id, name in enumerate(categories, start=1):
        ys, xs = np.nonzero(instance == instance_id)
        if ys.size < 4:
            continue
        x0, y0 = int(xs.min()), int(ys.min())
        bbox = [x0, y0, int(xs.max()) + 1 - x0, int(ys.max()) + 1 - y0]
        boxes.append(dict(category=name, bbox=bbox))
    return boxes


def _sensor(temp: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Apply optics blur, vignetting, column stripes and noise."""
    h, w = temp.shape
    temp = cv2.GaussianBlur(temp, (0, 0), rng.uniform(0.6, 1.2))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    radius2 = ((yy - h / 2) / (h / 2))**2 + ((xx - w / 2) / (w / 2))**2
    temp = temp - rng.uniform(0.5, 2.0) * radius2 / 2
    temp = temp + rng.normal(0.0, rng.uniform(0.05, 0.2), (1, w))
    return temp + rng.normal(0.0, 0.08, (h, w))


def render_scene(rng: np.random.Generator, height: int, width: int) -> Scene:
    """Render one synthetic thermal scene.

    Args:
        rng (np.random.Generator): The only source of randomness.
        height (int): Image height in pixels.
        width (int): Image width in pixels.

    Returns:
        Scene: Radiometric image, semantic label map and object boxes.
    """
    if height < 16 or width < 16:
        raise ValueError(f'scenes need at least 16x16 px, got {height}x'
                         f'{width}')
    ambient = rng.uniform(275, 295)
    canvas = Canvas(height, width, ambient - rng.uniform(1, 4), rng)
    horizon = int(rng.uniform(0.3, 0.5) * height)
    _stuff(canvas, horizon, ambient)
    categories = _objects(canvas, horizon, ambient)
    temp = _sensor(canvas.temp.astype(np.float32), rng)
    radiometric = np.clip(np.rint(temp * CENTIKELVIN), 0, 65535)
    return Scene(
        radiometric=radiometric.astype(np.uint16),
        label=canvas.label,
        instances=_boxes(canvas.instance, categories))

