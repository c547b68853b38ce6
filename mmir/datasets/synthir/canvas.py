# Copyright (c) mmir contributors. All rights reserved.
"""The maps a SynthIR scene is painted on: temperature, class, instance."""
import cv2
import numpy as np

from ..class_names import SYNTHIR_CLASSES

CLASS_ID = {name: i for i, name in enumerate(SYNTHIR_CLASSES)}


class Canvas:
    """Temperature, label and instance maps painted region by region."""

    def __init__(self, height: int, width: int, ambient: float,
                 rng: np.random.Generator) -> None:
        self.height, self.width = height, width
        self.rng = rng
        smooth = cv2.resize(
            rng.normal(0.0, 1.0, (4, 4)).astype(np.float32), (width, height),
            interpolation=cv2.INTER_CUBIC)
        self.temp = ambient + smooth
        self.label = np.zeros((height, width), np.uint8)
        self.instance = np.zeros((height, width), np.int32)

    def blank(self) -> np.ndarray:
        """Return an empty uint8 mask to draw a region on with value 1."""
        return np.zeros((self.height, self.width), np.uint8)

    def paint(self, mask: np.ndarray, temperature: float, class_name: str,
              instance_id: int = 0) -> np.ndarray:
        """Fill the pixels of ``mask`` with a class and a temperature.

        Args:
            mask (np.ndarray): uint8 mask from :meth:`blank`, 1 inside.
            temperature (float): Temperature in kelvin of the region.
            class_name (str): A name in ``SYNTHIR_CLASSES``.
            instance_id (int): Object id, 0 for stuff. Defaults to 0.

        Returns:
            np.ndarray: The boolean mask that was painted.
        """
        region = mask.astype(bool)
        texture = self.rng.normal(0.0, 0.3, region.sum())
        self.temp[region] = temperature + texture
        self.label[region] = CLASS_ID[class_name]
        self.instance[region] = instance_id
        return region
