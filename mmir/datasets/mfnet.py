# Copyright (c) mmir contributors. All rights reserved.
"""MFNet-T: the thermal channel of MFNet, 9 classes."""
from mmir.registry import DATASETS
from .class_names import MFNET_CLASSES
from .palette import voc_palette
from .seg_base import PairCheckedSegDataset


@DATASETS.register_module()
class MFNetDataset(PairCheckedSegDataset):
    """MFNet thermal-only segmentation dataset (MFNet-T).

    Images are the thermal channel of MFNet as 1-channel PNGs,
    ``thermal_imgs/<stem>.png``, and labels ``labels/<stem>.png`` (write
    them with ``tools/dataset_converters/mfnet.py``).  The split files are
    ``train.txt``, ``val.txt``, ``test.txt`` and ``val_test.txt`` (val and
    test together).  Following the UNIP and PAD authors, the base configs
    validate on ``val_test.txt`` and test on ``test.txt``; give
    ``ann_file='val.txt'`` to validate on val alone.  Background is a
    scored class (``reduce_zero_label=False``).  Missing images or labels
    are reported when the dataset is built.

    Args:
        **kwargs: Arguments of :class:`PairCheckedSegDataset`.
    """

    IMG_SUFFIX = '.png'
    METAINFO = dict(
        classes=MFNET_CLASSES, palette=voc_palette(len(MFNET_CLASSES)))
