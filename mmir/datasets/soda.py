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
        img_suffix (str): Image suffix. Defaults to '.jpg'.
        seg_map_suffix (str): Label suffix. Defaults to '.png'.
        reduce_zero_label (bool): Whether to ignore label 0. Defaults to
            False.
        **kwargs: Other arguments of ``mmseg.datasets.BaseSegDataset``.
    """

    METAINFO = dict(
        classes=SODA_CLASSES, palette=voc_palette(len(SODA_CLASSES)))

    def __init__(self,
                 img_suffix: str = '.jpg',
                 seg_map_suffix: str = '.png',
                 reduce_zero_label: bool = False,
                 **kwargs) -> None:
        super().__init__(
            img_suffix=img_suffix,
            seg_map_suffix=seg_map_suffix,
            reduce_zero_label=reduce_zero_label,
            **kwargs)
