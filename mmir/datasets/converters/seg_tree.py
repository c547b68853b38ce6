# Copyright (c) mmir contributors. All rights reserved.
"""Conversion of a segmentation dataset listed by split files: match each
sample with its files, check them, write the good ones and the split
lists, and report every problem at once."""
import os.path as osp
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

from ..problems import raise_if_problems
from .image_checks import read_image, read_label
from .output_tree import place, write_image
from .splits import count_unlisted, read_splits, write_split

# (stem, image path, label path)
Pair = Tuple[str, str, str]


def find_pairs(stems: Iterable[str], img_dir: str, img_suffix: str,
               ann_dir: str, ann_suffix: str) -> Tuple[List[Pair],
                                                      List[str]]:
    """Match each stem with its image and its label map.

    Args:
        stems (Iterable[str]): Samples to look for.
        img_dir (str): Folder of the images.
        img_suffix (str): Image suffix, e.g. ``'.jpg'``.
        ann_dir (str): Folder of the label maps.
        ann_suffix (str): Label suffix, e.g. ``'.png'``.

    Returns:
        Tuple[List[Pair], List[str]]: The complete pairs, and one problem
        per missing file.
    """
    pairs, problems = [], []
    for stem in stems:
        img = osp.join(img_dir, stem + img_suffix)
        ann = osp.join(ann_dir, stem + ann_suffix)
        missing = [path for path in (img, ann) if not osp.isfile(path)]
        problems += [f'{path}: missing' for path in missing]
        if not missing:
            pairs.append((stem, img, ann))
    return pairs, problems


def convert_pairs(pairs: Sequence[Pair],
                  dst_img_dir: str,
                  dst_ann_dir: str,
                  num_classes: int,
                  channels: Sequence[int] = (1, 3),
                  extract_channel: Optional[int] = None,
                  link: str = 'copy') -> List[str]:
    """Check image/label pairs and write the good ones to the output tree.

    Each image must decode with an accepted channel count and have the
    size of its label map; each label map must hold valid ids.  Labels are
    written as plain uint8 PNGs.  Images are placed unchanged (``link``)
    or, when ``extract_channel`` is given, reduced to that channel and
    written as PNG.

    Args:
        pairs (Sequence[Pair]): ``(stem, image, label)`` triples.
        dst_img_dir (str): Output image folder.
        dst_ann_dir (str): Output label folder; labels are
            ``<stem>.png``.
        num_classes (int): Number of classes of the dataset.
        channels (Sequence[int]): Accepted image channel counts.
            Defaults to (1, 3).
        extract_channel (int, optional): Channel to keep, in OpenCV order
            (BGRA). Defaults to None (keep the file).
        link (str): How unchanged images are placed, see
            :func:`~.output_tree.place`. Defaults to 'copy'.

    Returns:
        List[str]: Problems of the pairs not written.
    """
    problems = []
    for stem, img_path, ann_path in pairs:
        image, img_problems = read_image(img_path, channels)
        label, ann_problems = read_label(ann_path, num_classes)
        problems += img_problems + ann_problems
        if image is None or label is None:
            continue
        if image.shape[:2] != label.shape:
            problems.append(f'{img_path}: size {image.shape[:2]} differs '
                            f'from its label {ann_path} {label.shape}')
            continue
        if extract_channel is None:
            place(img_path, osp.join(dst_img_dir, osp.basename(img_path)),
                  link)
        else:
            write_image(
                osp.join(dst_img_dir, stem + '.png'),
                np.ascontiguousarray(image[..., extract_channel]))
        write_image(osp.join(dst_ann_dir, stem + '.png'), label)
    return problems


def convert_seg_tree(what: str,
                     src_imgs: Tuple[str, str],
                     src_anns: Tuple[str, str],
                     src_splits: Dict[str, str],
                     dst_root: str,
                     dst_dirs: Tuple[str, str],
                     dst_splits: Dict[str, Sequence[str]],
                     num_classes: int,
                     link: str = 'copy',
                     channels: Sequence[int] = (1, 3),
                     extract_channel: Optional[int] = None) -> dict:
    """Convert a segmentation dataset listed by split files.

    Every sample of every split is checked; all problems are raised at
    once as a :class:`~mmir.datasets.problems.DatasetError`.  The output
    split files are written last, only when there was no problem, so that
    a failed conversion leaves no usable split list behind.

    Args:
        what (str): Name of the source in the error message.
        src_imgs (Tuple[str, str]): Source image folder and suffix.
        src_anns (Tuple[str, str]): Source label folder and suffix.
        src_splits (Dict[str, str]): Split name -> source split file.
        dst_root (str): Root of the output tree.
        dst_dirs (Tuple[str, str]): Output image and label folders,
            relative to ``dst_root``.
        dst_splits (Dict[str, Sequence[str]]): Output split file, relative
            to ``dst_root`` -> the source splits it lists, in order.
        num_classes (int): Number of classes of the dataset.
        link (str): How unchanged images are placed, see
            :func:`~.output_tree.place`. Defaults to 'copy'.
        channels (Sequence[int]): Accepted image channel counts.
            Defaults to (1, 3).
        extract_channel (int, optional): Image channel to keep, see
            :func:`convert_pairs`. Defaults to None.

    Returns:
        dict: ``dst`` (the output root), ``splits`` (output split file ->
        number of samples) and ``unlisted`` (source images in no split,
        not converted).
    """
    splits, problems = read_splits(src_splits)
    listed = [stem for stems in splits.values() for stem in stems]
    pairs, missing = find_pairs(listed, *src_imgs, *src_anns)
    problems += missing + convert_pairs(
        pairs, osp.join(dst_root, dst_dirs[0]),
        osp.join(dst_root, dst_dirs[1]), num_classes, channels,
        extract_channel, link)
    raise_if_problems(problems, what)
    counts = {}
    for name, members in dst_splits.items():
        stems = [stem for split in members for stem in splits[split]]
        write_split(osp.join(dst_root, name), stems)
        counts[name] = len(stems)
    return dict(
        dst=dst_root,
        splits=counts,
        unlisted=count_unlisted(src_imgs[0], src_imgs[1], listed))
