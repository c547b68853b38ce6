# Copyright (c) mmir contributors. All rights reserved.
"""SODA: thermal semantic segmentation, 21 classes, VOC-style layout."""
from mmir.registry import DATASETS
from .class_names import SODA_CLASSES
from .palette import voc_palette
from .seg_base import PairCheckedSegDataset


@DATASETS.register_module()
class SODADataset(PairCheckedSegDataset):
    """SODA infrared segmentation dataset.

    Images are ``InfraredSemanticLabel/JPEGImages/<stem>.jpg`` and labels
    ``InfraredSemanticLabel/SegmentationClassPNG/<stem>.png``; the splits
    are ``train_infrared.txt`` and ``test_infrared.txt``.  Background is a
    scored class (``reduce_zero_label=False``).  Missing images or labels
    are reported when the dataset is built.

    Args:
        **kwargs: Arguments of :class:`PairCheckedSegDataset`.
    """

    IMG_SUFFIX = '.jpg'
    METAINFO = dict(
        classes=SODA_CLASSES, palette=voc_palette(len(SODA_CLASSES)))
