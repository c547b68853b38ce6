# Copyright (c) mmir contributors. All rights reserved.
"""Base class of mmir's segmentation datasets."""
import os.path as osp
from typing import List, Optional

from mmseg.datasets import BaseSegDataset

from .problems import raise_if_problems


class PairCheckedSegDataset(BaseSegDataset):
    """``BaseSegDataset`` that checks every image has its label map.

    mmseg builds the sample list from file names and finds a missing file
    only when a worker loads it, mid-training.  This class checks all pairs
    when the dataset is built and reports every missing file at once: the
    first 20 paths and the total count.  Labels are PNGs and background is
    a scored class (``reduce_zero_label=False``) in all infrared
    benchmarks; subclasses set their image suffix in ``IMG_SUFFIX``.

    Args:
        img_suffix (str, optional): Image suffix. Defaults to None, the
            class's ``IMG_SUFFIX``.
        seg_map_suffix (str): Label suffix. Defaults to '.png'.
        reduce_zero_label (bool): Whether to ignore label 0. Defaults to
            False.
        **kwargs: Other arguments of ``mmseg.datasets.BaseSegDataset``.
    """

    IMG_SUFFIX = '.jpg'

    def __init__(self,
                 img_suffix: Optional[str] = None,
                 seg_map_suffix: str = '.png',
                 reduce_zero_label: bool = False,
                 **kwargs) -> None:
        super().__init__(
            img_suffix=img_suffix or self.IMG_SUFFIX,
            seg_map_suffix=seg_map_suffix,
            reduce_zero_label=reduce_zero_label,
            **kwargs)

    def load_data_list(self) -> List[dict]:
        """Load the sample list and check that all its files exist.

        Returns:
            List[dict]: The samples, as ``BaseSegDataset`` returns them.

        Raises:
            FileNotFoundError: Listing the missing images or label maps.
        """
        data_list = super().load_data_list()
        missing = [
            f'{path}: missing' for sample in data_list
            for path in (sample['img_path'], sample.get('seg_map_path'))
            if path is not None and not osp.isfile(path)
        ]
        raise_if_problems(missing,
                          f'{type(self).__name__} at {self.data_root}',
                          FileNotFoundError)
        return data_list
