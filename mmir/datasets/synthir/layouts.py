# Copyright (c) mmir contributors. All rights reserved.
"""Writers of SynthIR scenes in the on-disk layouts of real datasets.

Each layout maps SynthIR's classes onto the target dataset's label ids by
class name (names absent from the target become its background, id 0), so
the dataset classes for the real data read SynthIR unchanged.
"""
import json
import os
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import cv2
import numpy as np

from ..class_names import (FLIR_CATEGORIES, MFNET_CLASSES, SCUT_SEG_CLASSES,
                           SODA_CLASSES, SYNTHIR_CLASSES)
from .scene import Scene

SPLITS = ('train', 'val', 'test')


def _label_lut(target_classes: Sequence[str],
               renames: Dict[str, str]) -> np.ndarray:
    """Build a SynthIR-id -> target-id lookup table.

    Args:
        target_classes (Sequence[str]): Class names of the target dataset.
        renames (Dict[str, str]): SynthIR name -> target name where they
            differ; other SynthIR names are looked up unchanged.

    Returns:
        np.ndarray: uint8 table indexed by SynthIR class id.
    """
    lut = np.zeros(len(SYNTHIR_CLASSES), np.uint8)
    for i, name in enumerate(SYNTHIR_CLASSES):
        name = renames.get(name, name)
        if name in target_classes:
            lut[i] = target_classes.index(name)
    return lut


def _write(path: str, image: np.ndarray) -> None:
    """Write an image, creating its folder and failing loudly."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    if not cv2.imwrite(path, image):
        raise OSError(f'could not write {path}')


def _write_lines(path: str, lines: Sequence[str]) -> None:
    """Write one entry per line."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.writelines(f'{line}\n' for line in lines)


class SegLayout:
    """A semantic-segmentation layout: image dir, label dir, split files.

    Args:
        root (str): Folder of this layout inside the SynthIR root.
        img_dir (str): Image folder relative to ``root``.
        img_suffix (str): Image file suffix, ``.jpg`` or ``.png``.
        ann_dir (str): Label folder relative to ``root``.
        classes (Sequence[str]): The dataset's class names.
        renames (Dict[str, str]): SynthIR name -> dataset name.
        split_files (Dict[str, Tuple[str, ...]]): Split file name -> the
            SynthIR splits it lists.
    """

    def __init__(self, root: str, img_dir: str, img_suffix: str,
                 ann_dir: str, classes: Sequence[str],
                 renames: Dict[str, str],
                 split_files: Dict[str, Tuple[str, ...]]) -> None:
        self.root = root
        self.img_dir = img_dir
        self.img_suffix = img_suffix
        self.ann_dir = ann_dir
        self.lut = _label_lut(classes, renames)
        self.split_files = split_files

    def label_ids(self, names: Sequence[str] = SYNTHIR_CLASSES
                  ) -> Dict[str, int]:
        """SynthIR class name -> id in this layout's label maps.

        Args:
            names (Sequence[str]): SynthIR's class names, in id order.
                Defaults to ``SYNTHIR_CLASSES``.

        Returns:
            Dict[str, int]: The classes this layout keeps apart; those it
            merges into its background (id 0) are left out.
        """
        return {
            name: int(self.lut[i])
            for i, name in enumerate(names) if i == 0 or self.lut[i]
        }

    def write(self, out_dir: str, stem: str, image: np.ndarray,
              scene: Scene) -> None:
        """Write one image and its label map."""
        root = osp.join(out_dir, self.root)
        _write(osp.join(root, self.img_dir, stem + self.img_suffix), image)
        _write(
            osp.join(root, self.ann_dir, stem + '.png'),
            self.lut[scene.label])

    def finish(self, out_dir: str, splits: Dict[str, List[str]]) -> None:
        """Write the split files."""
        for name, members in self.split_files.items():
            stems = sorted(s for split in members for s in splits[split])
            _write_lines(osp.join(out_dir, self.root, name), stems)


class CocoLayout:
    """COCO detection layout with FLIR's person / bicycle / car ids.

    Images go to ``coco/<split>/<stem>.jpg`` and boxes to
    ``coco/annotations/instances_<split>.json``.
    """

    root = 'coco'

    def __init__(self) -> None:
        self.category_ids = {
            name: cid
            for cid, name in FLIR_CATEGORIES.items()
        }
        self.records: Dict[str, Tuple[str, np.ndarray, Scene]] = {}

    def write(self, out_dir: str, stem: str, image: np.ndarray,
              scene: Scene) -> None:
        """Keep the boxes of one image; images are written per split."""
        self.records[stem] = (stem, image, scene)

    def finish(self, out_dir: str, splits: Dict[str, List[str]]) -> None:
        """Write each split's images and annotation file."""
        categories = [
            dict(id=cid, name=name, supercategory=name)
            for cid, name in FLIR_CATEGORIES.items()
        ]
        for split, stems in splits.items():
            images, annotations = [], []
            for image_id, stem in enumerate(sorted(stems), start=1):
                _, image, scene = self.records[stem]
                file_name = f'{split}/{stem}.jpg'
                _write(osp.join(out_dir, self.root, file_name), image)
                height, width = image.shape[:2]
                images.append(
                    dict(
                        id=image_id,
                        file_name=file_name,
                        height=height,
                        width=width))
                for obj in scene.instances:
                    x, y, w, h = obj['bbox']
                    annotations.append(
                        dict(
                            id=len(annotations) + 1,
                            image_id=image_id,
                            category_id=self.category_ids[obj['category']],
                            bbox=[x, y, w, h],
                            area=w * h,
                            iscrowd=0))
            path = osp.join(out_dir, self.root, 'annotations',
                            f'instances_{split}.json')
            os.makedirs(osp.dirname(path), exist_ok=True)
            with open(path, 'w') as f:
                json.dump(
                    dict(
                        images=images,
                        annotations=annotations,
                        categories=categories), f)


def build_layouts(names: Sequence[str]) -> list:
    """Create the writers for the named layouts.

    Args:
        names (Sequence[str]): Any of ``soda``, ``mfnet``, ``scut_seg``,
            ``coco``.

    Returns:
        list: One writer per name.
    """
    factories = dict(
        soda=lambda: SegLayout(
            'soda/InfraredSemanticLabel', 'JPEGImages', '.jpg',
            'SegmentationClassPNG', SODA_CLASSES,
            {'background': '_background_'},
            {'train_infrared.txt': ('train', 'val'),
             'test_infrared.txt': ('test', )}),
        mfnet=lambda: SegLayout(
            'mfnet', 'thermal_imgs', '.png', 'labels', MFNET_CLASSES,
            {'background': '_background_', 'bicycle': 'bike'},
            {'train.txt': ('train', ), 'val.txt': ('val', ),
             'test.txt': ('test', ), 'val_test.txt': ('val', 'test')}),
        scut_seg=lambda: SegLayout(
            'scut_seg', 'images', '.jpg', 'labels', SCUT_SEG_CLASSES, {},
            {'train.txt': ('train', ), 'val.txt': ('val', 'test')}),
        coco=CocoLayout)
    unknown = set(names) - set(factories)
    if unknown:
        raise KeyError(f'unknown SynthIR layouts {sorted(unknown)}; choose '
                       f'from {sorted(factories)}')
    return [factories[name]() for name in names]
