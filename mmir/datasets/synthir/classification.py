# Copyright (c) mmir contributors. All rights reserved.
"""SynthIR as an image classification task: each frame's label is the
class of its largest object.

The task of AdaViPro's infrared row.  A frame's label is the category of
its largest box (by area) in SynthIR's COCO layout (``person``, ``bicycle``
or ``car``; ties go to the first box written); frames without any object
are left out.  The lists are mmpretrain ``CustomDataset`` annotation files
(``<image path relative to the SynthIR root> <label>``), one per split,
with the class names in ``classes.txt``.
"""
import json
import os.path as osp
from typing import Dict, List, Tuple

from ..class_names import FLIR_CATEGORIES
from .layouts import SPLITS, _write_lines

CLASSES = tuple(FLIR_CATEGORIES[i] for i in sorted(FLIR_CATEGORIES))


def frame_labels(annotation_file: str) -> List[Tuple[str, int]]:
    """``(file_name, label)`` of every frame with an object.

    Args:
        annotation_file (str): A SynthIR COCO-layout annotation file.

    Returns:
        List[Tuple[str, int]]: File names (relative to the layout's root)
        and indices into :data:`CLASSES`, in image order.
    """
    if not osp.isfile(annotation_file):
        raise FileNotFoundError(
            f'{annotation_file} not found: generate SynthIR with its coco '
            'layout (tools/dataset_converters/make_synthir.py)')
    with open(annotation_file) as file:
        coco = json.load(file)
    names = {c['id']: c['name'] for c in coco['categories']}
    largest: Dict[int, dict] = {}
    for ann in coco['annotations']:
        best = largest.get(ann['image_id'])
        if best is None or ann['area'] > best['area']:
            largest[ann['image_id']] = ann
    return [(image['file_name'],
             CLASSES.index(names[largest[image['id']]['category_id']]))
            for image in coco['images'] if image['id'] in largest]


def write_classification_lists(synthir_root: str,
                               out_dir: str = 'cls') -> Dict[str, list]:
    """Write ``<out_dir>/{train,val,test}.txt`` and ``classes.txt`` under
    ``synthir_root``.

    Args:
        synthir_root (str): A SynthIR tree with the coco layout.
        out_dir (str): Output folder, relative to ``synthir_root``.
            Defaults to ``'cls'``.

    Returns:
        Dict[str, list]: Split -> frames per class.
    """
    _write_lines(osp.join(synthir_root, out_dir, 'classes.txt'), CLASSES)
    counts = {}
    for split in SPLITS:
        frames = frame_labels(
            osp.join(synthir_root, 'coco', 'annotations',
                     f'instances_{split}.json'))
        _write_lines(
            osp.join(synthir_root, out_dir, f'{split}.txt'),
            [f'coco/{name} {label}' for name, label in frames])
        counts[split] = [
            sum(label == i for _, label in frames)
            for i in range(len(CLASSES))
        ]
    return counts
