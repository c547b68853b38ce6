# Copyright (c) mmir contributors. All rights reserved.
"""FLIR ADAS thermal object detection: person, bicycle, car."""
from mmdet.datasets import CocoDataset

from mmir.registry import DATASETS
from .class_names import FLIR_CATEGORIES
from .palette import voc_palette


@DATASETS.register_module()
class FLIRDataset(CocoDataset):
    """FLIR ADAS thermal detection with the three classes of PAD.

    Reads a COCO json, such as the ``annotations/instances_{train,val}.json``
    written by ``tools/dataset_converters/flir.py`` or FLIR v1's own
    ``thermal_annotations.json``.  As in ``CocoDataset``, category ids are
    mapped to labels 0, 1, 2 by category *name*; boxes of every other
    category in the json (dog, other vehicle, ...) are dropped.  Whether
    images without a box of the three classes are kept is decided by
    ``filter_cfg`` (``filter_empty_gt``), as for any mmdet dataset.

    Args:
        **kwargs: Arguments of ``mmdet.datasets.CocoDataset``.
    """

    METAINFO = dict(
        classes=tuple(FLIR_CATEGORIES.values()),
        palette=[tuple(c) for c in voc_palette(len(FLIR_CATEGORIES) + 1)[1:]])
