# Copyright (c) mmir contributors. All rights reserved.
"""Colour palettes for label visualisation."""
from typing import List


def voc_palette(num_classes: int) -> List[List[int]]:
    """The Pascal VOC colour map: class bits spread over R, G and B.

    Args:
        num_classes (int): Number of colours, at most 256.

    Returns:
        List[List[int]]: ``[r, g, b]`` per class; class 0 is black.
    """
    palette = []
    for label in range(num_classes):
        rgb = [0, 0, 0]
        for shift in range(7, -1, -1):
            for channel in range(3):
                rgb[channel] |= ((label >> (3 * (7 - shift) + channel)) &
                                 1) << shift
        palette.append(rgb)
    return palette
