# Copyright (c) mmir contributors. All rights reserved.
"""MSIP, PAD's multi-source infrared pre-training set, and its border crop."""
import os.path as osp
from typing import Dict, Optional

from mmcv.transforms import BaseTransform

from mmir.registry import DATASETS, TRANSFORMS
from .converters.rois import load_rois
from .pretrain_list import PretrainListDataset

MSIP_SOURCES = ('dronevehicle', 'scut_fir_pedestrian', 'llvip', 'aerial',
                'ship', 'security', 'lsotb_tir', 'lasher')


@DATASETS.register_module()
class MSIPDataset(PretrainListDataset):
    """MSIP: 178,756 infrared images from 8 sources (PAD).

    Reads the list written by ``tools/dataset_converters/msip.py``, which
    applies the per-source selection rules.  Each sample has ``img_path``,
    ``source``, ``border`` (pixels to crop from every side, applied by
    :class:`CropBorder`; 100 for DroneVehicle's white frame, else 0) and
    ``rois``: the RoI proposals of ``<data_root>/<roi_prefix>/<path>.txt``
    (``<path>`` is the image's list path without its suffix), an N x 4
    float32 array of ``x1 y1 x2 y2`` in the listed image's coordinates,
    read when the sample is fetched; (0, 4) when there is no file.

    Args:
        borders (Dict[str, int], optional): Source -> border width.
            Defaults to None, meaning ``{'dronevehicle': 100}``.
        roi_prefix (str, optional): Folder of the RoI files, relative to
            ``data_root``; None attaches no ``rois``. Defaults to 'roi'.
        **kwargs: Other arguments of :class:`PretrainListDataset`.
    """

    METAINFO = dict(sources=MSIP_SOURCES)

    def __init__(self,
                 borders: Optional[Dict[str, int]] = None,
                 roi_prefix: Optional[str] = 'roi',
                 **kwargs) -> None:
        self.borders = dict(dronevehicle=100) if borders is None else borders
        self.roi_prefix = roi_prefix
        super().__init__(**kwargs)

    def load_data_list(self) -> list:
        """Samples of the list, each with its source's ``border``."""
        data_list = super().load_data_list()
        for sample in data_list:
            sample['border'] = self.borders.get(sample['source'], 0)
        return data_list

    def roi_file(self, img_path: str) -> str:
        """The RoI file of an image: ``<roi dir>/<list path>.txt``."""
        rel = osp.relpath(img_path, self.data_prefix['img_path'])
        return osp.join(self.data_root, self.roi_prefix,
                        osp.splitext(rel)[0] + '.txt')

    def get_data_info(self, idx: int) -> dict:
        """A sample with its ``rois`` (read now, so the list stays small).

        Args:
            idx (int): Sample index.

        Returns:
            dict: The sample.
        """
        info = super().get_data_info(idx)
        if self.roi_prefix is not None:
            info['rois'] = load_rois(self.roi_file(info['img_path']))
        return info


@TRANSFORMS.register_module()
class CropBorder(BaseTransform):
    """Crop ``border`` pixels from every side (DroneVehicle's white frame).

    RoIs are shifted into the cropped image and clipped to it; those left
    with no area are dropped.  A sample without ``border`` (or with 0) is
    unchanged.

    Difference from PAD, for DroneVehicle only (the one source with a
    border): PAD saves the images already cropped and runs selective
    search on the cropped images, so its RoIs are proposed without the
    frame and all lie inside the image.  mmir lists the uncropped images,
    ``generate_rois.py`` proposes on them, frame included, and this
    transform then moves and clips the boxes.  Hence (1) the proposals
    differ from PAD's: selective search sees the frame, and its filters
    (area >= 600 px, sides >= 40 px, aspect ratio <= 3) judged the
    unclipped boxes; (2) a box that crosses the frame's inner edge is
    clipped, not skipped, and :class:`RandomRoICrop` can use it if both
    clipped sides are still >= 40 px, while PAD's crop skips every RoI
    that does not lie inside the image (no such RoI occurs in PAD);
    (3) boxes wholly inside the frame are dropped here.

    **Required Keys:** ``img``

    **Optional Keys:** ``border``, ``rois``

    **Modified Keys:** ``img``, ``img_shape``, ``rois``
    """

    def transform(self, results: dict) -> dict:
        """Crop the image and move its RoIs.

        Args:
            results (dict): The sample.

        Returns:
            dict: The sample, cropped.
        """
        border = results.get('border', 0)
        if not border:
            return results
        height, width = results['img'].shape[:2]
        if min(height, width) <= 2 * border:
            raise ValueError(f'{results.get("img_path")}: {width}x{height} '
                             f'image is too small for a {border}-px border')
        img = results['img'][border:height - border, border:width - border]
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        if 'rois' in results:
            rois = results['rois'] - border
            rois[:, 0::2] = rois[:, 0::2].clip(0, img.shape[1])
            rois[:, 1::2] = rois[:, 1::2].clip(0, img.shape[0])
            keep = (rois[:, 2] > rois[:, 0]) & (rois[:, 3] > rois[:, 1])
            results['rois'] = rois[keep]
        return results
