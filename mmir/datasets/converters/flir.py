# Copyright (c) mmir contributors. All rights reserved.
"""FLIR ADAS thermal release (v1 or v2) -> a COCO tree of 3 classes.

Input, found automatically:

- v1 (1.3): ``train/thermal_8_bit/*.jpeg`` with
  ``train/thermal_annotations.json``, the same under ``val/``;
- v2: ``images_thermal_train/data/*.jpg`` with
  ``images_thermal_train/coco.json``, the same for ``images_thermal_val``.

Output: ``annotations/instances_{train,val}.json`` and the images in
``train/`` and ``val/`` (``file_name`` is ``<split>/<name>``).  Categories
are matched by name (v2's ``bike`` is ``bicycle``) and renumbered as
:data:`FLIR_CATEGORIES`; boxes of other categories are dropped, images
without any box are kept.  Annotation ids are renumbered from 1 (COCO
evaluation treats id 0 as unmatched); image ids are kept.
"""
import json
import os
import os.path as osp
from collections import Counter
from typing import Dict, List, Tuple

from ..class_names import FLIR_CATEGORIES
from ..problems import DatasetError, raise_if_problems
from .image_checks import read_image
from .output_tree import place

SPLITS = ('train', 'val')
LAYOUTS = {
    'v1': {split: (split, 'thermal_annotations.json')
           for split in SPLITS},
    'v2': {split: (f'images_thermal_{split}', 'coco.json')
           for split in SPLITS},
}
ALIASES = {'bike': 'bicycle'}


def find_version(src: str) -> str:
    """Tell the release version from its annotation files.

    Args:
        src (str): The release root.

    Returns:
        str: ``'v1'`` or ``'v2'``.

    Raises:
        DatasetError: If neither layout's train annotations exist.
    """
    expected = []
    for version, layout in LAYOUTS.items():
        path = osp.join(src, *layout['train'])
        if osp.isfile(path):
            return version
        expected.append(f'{path} ({version})')
    raise DatasetError(f'no FLIR ADAS release at {src}: expected '
                       f'{" or ".join(expected)}')


def map_categories(categories: List[dict],
                   ann_path: str) -> Tuple[Dict[int, int], List[str]]:
    """Map the release's category ids onto :data:`FLIR_CATEGORIES` by name.

    Args:
        categories (List[dict]): The json's ``categories``.
        ann_path (str): The json file, for messages.

    Returns:
        Tuple[Dict[int, int], List[str]]: Release id -> mmir id, and a
        problem per class the json does not name.
    """
    ours = {name: cid for cid, name in FLIR_CATEGORIES.items()}
    mapping = {}
    for cat in categories:
        name = cat['name'].strip().lower()
        name = ALIASES.get(name, name)
        if name in ours:
            mapping[cat['id']] = ours[name]
    missing = sorted(set(ours.values()) - set(mapping.values()))
    return mapping, [
        f'{ann_path}: no category named {FLIR_CATEGORIES[cid]!r}'
        for cid in missing
    ]


def convert_images(images: List[dict], split_dir: str, split: str,
                   dst: str, link: str) -> Tuple[List[dict], List[str]]:
    """Check the images of a split and place them in ``dst/<split>/``.

    Args:
        images (List[dict]): The json's ``images``.
        split_dir (str): Folder ``file_name`` is relative to.
        split (str): Output split name.
        dst (str): Output root.
        link (str): ``'copy'``, ``'symlink'`` or ``'hardlink'``.

    Returns:
        Tuple[List[dict], List[str]]: Image entries with the new
        ``file_name``, and the problems found.
    """
    names = Counter(osp.basename(img['file_name']) for img in images)
    problems = [
        f'{split_dir}: {count} images are named {name}'
        for name, count in names.items() if count > 1
    ]
    out = []
    for img in images:
        path = osp.join(split_dir, img['file_name'])
        name = osp.basename(path)
        if not osp.isfile(path):
            problems.append(f'{path}: missing')
            continue
        pixels, bad = read_image(path, (1, 3))
        if pixels is None:
            problems += bad
            continue
        size = (img.get('height'), img.get('width'))
        if pixels.shape[:2] != size:
            problems.append(f'{path}: size {pixels.shape[:2]}, the json '
                            f'says {size}')
            continue
        place(path, osp.join(dst, split, name), link)
        out.append(dict(img, file_name=f'{split}/{name}'))
    return out, problems


def convert_annotations(annotations: List[dict], mapping: Dict[int, int],
                        image_ids: set,
                        ann_path: str) -> Tuple[List[dict], List[str]]:
    """Keep the boxes of the three classes, with new ids.

    Args:
        annotations (List[dict]): The json's ``annotations``.
        mapping (Dict[int, int]): Release category id -> mmir id.
        image_ids (set): Ids of the json's images.
        ann_path (str): The json file, for messages.

    Returns:
        Tuple[List[dict], List[str]]: The kept annotations, and one
        problem per annotation of an unknown image.
    """
    kept, problems = [], []
    for ann in annotations:
        if ann['image_id'] not in image_ids:
            problems.append(f'{ann_path}: annotation {ann.get("id")} '
                            f'refers to missing image {ann["image_id"]}')
        elif ann['category_id'] in mapping:
            w, h = ann['bbox'][2:4]
            kept.append(
                dict(
                    ann,
                    id=len(kept) + 1,
                    category_id=mapping[ann['category_id']],
                    area=ann.get('area', w * h),
                    iscrowd=ann.get('iscrowd', 0)))
    return kept, problems


def convert_split(split_dir: str, ann_path: str, split: str, dst: str,
                  link: str) -> Tuple[dict, dict, List[str]]:
    """Convert one split's json and images.

    Args:
        split_dir (str): Folder the json's ``file_name`` is relative to.
        ann_path (str): The release json.
        split (str): Output split name.
        dst (str): Output root.
        link (str): ``'copy'``, ``'symlink'`` or ``'hardlink'``.

    Returns:
        Tuple[dict, dict, List[str]]: The output COCO dict, its counts
        and the problems found.
    """
    try:
        with open(ann_path) as f:
            coco = json.load(f)
    except (OSError, ValueError) as err:
        return {}, {}, [f'{ann_path}: cannot be read as json ({err})']
    mapping, problems = map_categories(coco['categories'], ann_path)
    images, bad = convert_images(coco['images'], split_dir, split, dst,
                                 link)
    annotations, bad_anns = convert_annotations(
        coco['annotations'], mapping, {img['id']
                                       for img in coco['images']},
        ann_path)
    categories = [
        dict(id=cid, name=name, supercategory=name)
        for cid, name in FLIR_CATEGORIES.items()
    ]
    counts = dict(
        images=len(images),
        boxes=len(annotations),
        boxes_dropped=len(coco['annotations']) - len(annotations),
        images_without_boxes=len(images) -
        len({ann['image_id']
             for ann in annotations}))
    return dict(
        images=images, annotations=annotations,
        categories=categories), counts, problems + bad + bad_anns


def convert(src: str, dst: str, link: str = 'copy') -> dict:
    """Check a FLIR ADAS release and write its thermal train/val as COCO.

    Args:
        src (str): The release root (v1 or v2 layout, see the module).
        dst (str): Output root.
        link (str): ``'copy'``, ``'symlink'`` or ``'hardlink'`` for the
            images, which are not changed. Defaults to 'copy'.

    Returns:
        dict: ``dst``, ``version`` and per split the counts of images,
        kept and dropped boxes, and images without boxes.

    Raises:
        DatasetError: Listing every missing or unreadable file, size
            mismatch, missing category and dangling annotation.
    """
    version = find_version(src)
    outputs, summary, problems = {}, dict(dst=dst, version=version), []
    for split, (folder, ann_file) in LAYOUTS[version].items():
        split_dir = osp.join(src, folder)
        outputs[split], summary[split], bad = convert_split(
            split_dir, osp.join(split_dir, ann_file), split, dst, link)
        problems += bad
    raise_if_problems(problems, f'FLIR ADAS {version} at {src}')
    os.makedirs(osp.join(dst, 'annotations'), exist_ok=True)
    for split, coco in outputs.items():
        path = osp.join(dst, 'annotations', f'instances_{split}.json')
        with open(path, 'w') as f:
            json.dump(coco, f)
    return summary
