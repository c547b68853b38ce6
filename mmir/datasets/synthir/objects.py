# Copyright (c) mmir contributors. All rights reserved.
"""SynthIR's objects: people, cars and bicycles (parked or ridden).

Each is painted on a :class:`~.canvas.Canvas` in kelvin with its class and
instance id: warm people and cars, bicycles colder than the ground under
them (metal reflects the cold sky), ridden ones with warm hubs and a rider.
"""
from typing import Optional, Tuple

import cv2
import numpy as np

from .canvas import Canvas

# Gaps of an object's mask up to this area (px) are blurred shut by the
# optics at SynthIR's resolution: they are drawn and labelled as the object.
HOLE_AREA = 8


def person(canvas: Canvas, x: int, foot: int, size: float,
            instance_id: int) -> None:
    """Paint a standing person of height ``size`` with feet at ``foot``."""
    rng = canvas.rng
    body = rng.uniform(302, 306)
    half = max(int(size * 0.15), 1)
    head = max(int(size * 0.1), 1)
    top = foot - int(size)

    mask = canvas.blank()
    cv2.rectangle(mask, (x - half, top + 2 * head), (x + half, foot), 1, -1)
    cv2.circle(mask, (x, top + head), head, 1, -1)
    canvas.paint(mask, body, 'person', instance_id)
    canvas.temp[top:top + 2 * head, x - head:x + head + 1] += 2.0


def car(canvas: Canvas, x: int, bottom: int, size: float,
         instance_id: int, ambient: float) -> None:
    """Paint a car of height ``size`` seen from the side."""
    rng = canvas.rng
    half = int(size)
    wheel = max(int(size * 0.2), 1)
    top = bottom - int(size)

    mask = canvas.blank()
    cv2.rectangle(mask, (x - half, bottom - int(size * 0.6)),
                  (x + half, bottom - wheel), 1, -1)
    cv2.rectangle(mask, (x - half // 2, top), (x + half // 2, bottom), 1, -1)
    for cx in (x - half + wheel, x + half - wheel):
        cv2.circle(mask, (cx, bottom - wheel), wheel, 1, -1)
    region = canvas.paint(mask, ambient + rng.uniform(2, 8), 'car',
                          instance_id)
    hot = np.zeros_like(region)
    hot[bottom - 2 * wheel:bottom + 1] = True
    engine = slice(x + half // 2, x + half + 1) if rng.random() < 0.5 else \
        slice(max(x - half, 0), x - half // 2)
    hot[bottom - int(size * 0.6):bottom + 1, engine] = True
    canvas.temp[region & hot] = rng.uniform(310, 330)


def _fill_holes(mask: np.ndarray, max_area: int) -> np.ndarray:
    """Fill, in place, the holes of ``mask`` of at most ``max_area`` px.

    A hole is a 4-connected region of zeros that does not touch the
    border.

    Args:
        mask (np.ndarray): uint8 mask, 1 inside.
        max_area (int): Largest hole that is filled.

    Returns:
        np.ndarray: ``mask``.
    """
    count, holes, stats, _ = cv2.connectedComponentsWithStats(
        (mask == 0).astype(np.uint8), connectivity=4)
    h, w = mask.shape
    for index in range(1, count):
        x, y, bw, bh, area = stats[index]
        inside = x > 0 and y > 0 and x + bw < w and y + bh < h
        if inside and area <= max_area:
            mask[holes == index] = 1
    return mask


def _under(canvas: Canvas, mask: np.ndarray, default: float) -> float:
    """Median temperature of what ``mask`` is about to cover.

    Args:
        canvas (Canvas): The canvas.
        mask (np.ndarray): uint8 mask, 1 inside.
        default (float): Returned when the mask is empty.

    Returns:
        float: The median temperature in kelvin.
    """
    region = mask.astype(bool)
    return float(np.median(canvas.temp[region])) if region.any() else default


def _rider(canvas: Canvas, hip: Tuple[int, int], pedal: Tuple[int, int],
           bar: Tuple[int, int], size: float, instance_id: int) -> None:
    """Paint a seated cyclist of standing height ``size`` (a person).

    Args:
        canvas (Canvas): The canvas.
        hip (Tuple[int, int]): (x, y) of the saddle.
        pedal (Tuple[int, int]): (x, y) of the crank the legs reach.
        bar (Tuple[int, int]): (x, y) of the handlebar the arms reach.
        size (float): Standing height in pixels.
        instance_id (int): Object id of the rider.
    """
    rng = canvas.rng
    limb = max(int(round(size * 0.08)), 2)
    head = max(int(round(size * 0.08)), 1)
    shoulder = (hip[0] + int(round(size * 0.12)),
                hip[1] - int(round(size * 0.3)))
    mask = canvas.blank()
    cv2.line(mask, hip, shoulder, 1, max(int(round(size * 0.14)), 2))
    cv2.line(mask, hip, pedal, 1, limb)
    cv2.line(mask, shoulder, bar, 1, max(limb - 1, 1))
    centre = (shoulder[0], shoulder[1] - head)
    cv2.circle(mask, centre, head, 1, -1)
    canvas.paint(mask, rng.uniform(302, 306), 'person', instance_id)
    canvas.temp[max(centre[1] - head, 0):centre[1] + head + 1,
                 max(centre[0] - head, 0):centre[0] + head + 1] += 2.0


def bicycle(canvas: Canvas, x: int, bottom: int, size: float,
             instance_id: int, ambient: float,
             rider_id: Optional[int] = None) -> None:
    """Paint a bicycle of height ``size``, ridden if ``rider_id`` is set.

    A real tyre or tube is 1-2 % of a person's height, under a pixel at
    96x128, so wheels and frame are drawn at least 2 px thick, and gaps
    the optics blur shut (at most ``HOLE_AREA`` px) are drawn and
    labelled as the bicycle.  The camera sees an apparent temperature:
    a bicycle, parked or ridden, is colder than the ground under it, as
    its rims, spokes and frame reflect the cold sky (metal has a low
    emissivity) and its thin parts of little thermal mass cool below the
    air.  A ridden one also has hubs warmed by their bearings and a warm
    rider, labelled person, whose leg hides part of the frame.

    Args:
        canvas (Canvas): The canvas.
        x (int): Column of the crank.
        bottom (int): Row where the tyres touch the ground.
        size (float): Height to the handlebar in pixels.
        instance_id (int): Object id of the bicycle.
        ambient (float): Air temperature in kelvin.
        rider_id (int, optional): Object id of the rider; None for a
            parked bicycle. Defaults to None.
    """
    rng = canvas.rng
    radius = max(int(round(size * 0.35)), 2)
    thick = max(int(round(size * 0.12)), 2)
    axle = bottom - radius
    rear, front = x - int(round(radius * 1.45)), x + int(round(radius * 1.45))
    seat = (x - int(round(radius * 0.35)), axle - int(round(radius * 1.7)))
    head = (front - int(round(radius * 0.3)), axle - int(round(radius * 1.6)))
    bar = (head[0], bottom - int(size))

    mask = canvas.blank()
    for cx in (rear, front):
        cv2.circle(mask, (cx, axle), radius, 1, thick)
    for start, end in (((rear, axle), (x, axle)), ((x, axle), seat),
                       ((rear, axle), seat), (seat, head), (head, (x, axle)),
                       (head, (front, axle)), (head, bar)):
        cv2.line(mask, start, end, 1, thick)
    _fill_holes(mask, HOLE_AREA)
    # The ground it stands on: what the lower halves of the wheels cover.
    lower = mask.copy()
    lower[:axle + 1] = 0
    ground = _under(canvas, lower, ambient)
    region = canvas.paint(mask,
                          min(ground, ambient) - rng.uniform(5, 9),
                          'bicycle', instance_id)
    if rider_id is not None:
        hubs = canvas.blank()
        for cx in (rear, front):
            cv2.circle(hubs, (cx, axle), max(thick // 2, 1), 1, -1)
        canvas.temp[region & hubs.astype(bool)] = max(
            ground, ambient) + rng.uniform(3, 6)
        _rider(canvas, seat, (x, axle), bar, size / 0.6, rider_id)
