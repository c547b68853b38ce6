# Copyright (c) mmir contributors. All rights reserved.
"""SCUT-Seg: nighttime thermal driving scenes, 10 classes."""
from mmir.registry import DATASETS
from .class_names import SCUT_SEG_CLASSES
from .palette import voc_palette
from .seg_base import PairCheckedSegDataset


@DATASETS.register_module()
class SCUTSegDataset(PairCheckedSegDataset):
    """SCUT-Seg thermal segmentation dataset.

    Images are ``images/<stem>.jpg`` and labels ``labels/<stem>.png``; the
    splits are ``train.txt`` and ``val.txt``, the latter used for both
    validation and test as in UNIP.  Background is a scored class
    (``reduce_zero_label=False``).  Missing images or labels are reported
    when the dataset is built.

    Args:
        **kwargs: Arguments of :class:`PairCheckedSegDataset`.
    """

    IMG_SUFFIX = '.jpg'
    METAINFO = dict(
        classes=SCUT_SEG_CLASSES,
        palette=voc_palette(len(SCUT_SEG_CLASSES)))
