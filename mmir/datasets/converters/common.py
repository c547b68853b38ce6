# Copyright (c) mmir contributors. All rights reserved.
"""What the dataset converters share: split lists, reading and checking
images and label maps, and placing files in the output tree.

Checks never raise on their own: they return problem lines, each naming
its file, so that a converter can collect them over the whole tree and
report them once with :func:`mmir.datasets.problems.raise_if_problems`.
"""
import argparse
import json
import os
import os.path as osp
import shutil
import sys
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from ..problems import DatasetError, raise_if_problems

IGNORE_INDEX = 255
LINK_MODES = ('copy', 'symlink', 'hardlink')
IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff')

# (stem, image path, label path)
Pair = Tuple[str, str, str]


def read_split(path: str) -> List[str]:
    """Read a split file: one sample per line, as a stem.

    Entries may be stems (``00001D``) or file names, with or without a
    folder (``JPEGImages/00001.jpg``): the folder and an image suffix are
    dropped.  Blank lines are skipped.

    Args:
        path (str): The split file.

    Returns:
        List[str]: Stems in file order.
    """
    stems = []
    with open(path) as f:
        for line in f:
            name = osp.basename(line.strip())
            stem, suffix = osp.splitext(name)
            if name:
                stems.append(
                    stem if suffix.lower() in IMAGE_SUFFIXES else name)
    return stems


def write_split(path: str, stems: Iterable[str]) -> None:
    """Write one stem per line, creating the folder.

    Args:
        path (str): The split file to write.
        stems (Iterable[str]): Its entries, in order.
    """
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    with open(path, 'w') as f:
        f.writelines(f'{stem}\n' for stem in stems)


def read_splits(paths: Dict[str, str]) -> Tuple[Dict[str, List[str]],
                                                List[str]]:
    """Read named split files and check that no sample is in two of them.

    Args:
        paths (Dict[str, str]): Split name -> split file.

    Returns:
        Tuple[Dict[str, List[str]], List[str]]: Split name -> stems (empty
        when the file is missing), and the problems: missing split files
        and stems listed in more than one split.
    """
    splits, problems, seen = {}, [], {}
    for name, path in paths.items():
        if not osp.isfile(path):
            problems.append(f'{path}: split file missing')
            splits[name] = []
            continue
        splits[name] = read_split(path)
        for stem in splits[name]:
            if seen.setdefault(stem, name) != name:
                problems.append(f'{path}: {stem} is also listed in the '
                                f'{seen[stem]} split')
    return splits, problems


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


def count_unlisted(folder: str, suffix: str, listed: Iterable[str]) -> int:
    """Count the files of a folder whose stem no split lists.

    Args:
        folder (str): The folder, e.g. of images.
        suffix (str): Suffix of the files to count.
        listed (Iterable[str]): Stems in the splits.

    Returns:
        int: Number of files not converted.
    """
    stems = {
        name[:-len(suffix)]
        for name in os.listdir(folder) if name.endswith(suffix)
    } if osp.isdir(folder) else set()
    return len(stems - set(listed))


def read_image(path: str,
               channels: Sequence[int]) -> Tuple[Optional[np.ndarray],
                                                 List[str]]:
    """Decode an image as stored and check its channel count.

    Args:
        path (str): Image file.
        channels (Sequence[int]): Accepted channel counts, e.g. ``(1, 3)``.

    Returns:
        Tuple[Optional[np.ndarray], List[str]]: The image (``None`` on a
        problem) and the problems found.
    """
    image = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if image is None:
        return None, [f'{path}: cannot be read as an image']
    found = 1 if image.ndim == 2 else image.shape[2]
    if found not in channels:
        wanted = ' or '.join(str(c) for c in channels)
        return None, [f'{path}: {found} channels, expected {wanted}']
    if image.dtype != np.uint8:
        return None, [f'{path}: {image.dtype} pixels, expected uint8']
    return image, []


def read_label(path: str,
               num_classes: int) -> Tuple[Optional[np.ndarray], List[str]]:
    """Read a label map of class ids and check its values.

    Palette (P-mode) PNGs give their palette indices, which are the ids;
    grey PNGs their values.  Valid values are ``0 .. num_classes - 1`` and
    255 (ignored).

    Args:
        path (str): Label file.
        num_classes (int): Number of classes of the dataset.

    Returns:
        Tuple[Optional[np.ndarray], List[str]]: The uint8 (H, W) id map
        (``None`` on a problem) and the problems found.
    """
    try:
        with Image.open(path) as img:
            label = np.asarray(img)
    except (OSError, UnidentifiedImageError):
        return None, [f'{path}: cannot be read as a label map']
    if label.ndim != 2:
        return None, [f'{path}: {label.shape[2]} channels, expected a '
                      f'single-channel map of class ids']
    bad = np.unique(label[(label >= num_classes) & (label != IGNORE_INDEX)])
    if bad.size:
        shown = ', '.join(str(v) for v in bad[:10])
        return None, [f'{path}: label values {shown} >= {num_classes} '
                      f'classes (only {IGNORE_INDEX} may exceed them)']
    return label.astype(np.uint8), []


def place(src: str, dst: str, mode: str = 'copy') -> None:
    """Put a file into the output tree by copying or linking it.

    Args:
        src (str): Existing file.
        dst (str): Destination path; its folder is created and an existing
            file replaced.
        mode (str): ``'copy'``, ``'symlink'`` (absolute link) or
            ``'hardlink'``. Defaults to ``'copy'``.
    """
    if mode not in LINK_MODES:
        raise ValueError(f'mode must be one of {LINK_MODES}, got {mode!r}')
    os.makedirs(osp.dirname(dst), exist_ok=True)
    if osp.lexists(dst):
        os.remove(dst)
    if mode == 'copy':
        shutil.copyfile(src, dst)
    elif mode == 'symlink':
        os.symlink(osp.abspath(src), dst)
    else:
        os.link(src, dst)


def write_image(path: str, image: np.ndarray) -> None:
    """Write an image with OpenCV, creating its folder.

    Args:
        path (str): Output file; the suffix picks the format.
        image (np.ndarray): The pixels.
    """
    os.makedirs(osp.dirname(path), exist_ok=True)
    if not cv2.imwrite(path, image):
        raise OSError(f'could not write {path}')


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
        link (str): How unchanged images are placed, see :func:`place`.
            Defaults to 'copy'.

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
    once as a :class:`DatasetError`.  The output split files are written
    last, only when there was no problem, so that a failed conversion
    leaves no usable split list behind.

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
        link (str): How unchanged images are placed, see :func:`place`.
            Defaults to 'copy'.
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


def converter_parser(description: str, src_help: str, dst_example: str,
                     link: bool = True) -> argparse.ArgumentParser:
    """The command line every converter tool starts from.

    Args:
        description (str): The tool's docstring.
        src_help (str): What ``src`` is.
        dst_example (str): A typical output root, e.g. ``'data/soda'``.
        link (bool): Whether the converter takes ``--link``. Defaults to
            True.

    Returns:
        argparse.ArgumentParser: With ``src``, ``dst`` and maybe ``--link``;
        its parsed arguments are the converter's keyword arguments.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('src', help=src_help)
    parser.add_argument('dst', help=f'output root, e.g. {dst_example}')
    if link:
        parser.add_argument(
            '--link',
            choices=LINK_MODES,
            default='copy',
            help='how the unchanged images are placed')
    return parser


def run_and_report(convert: Callable[..., dict], **kwargs) -> None:
    """Run a converter from a command-line tool and print its summary.

    Args:
        convert (Callable[..., dict]): A converter's ``convert``.
        **kwargs: Its arguments.

    Raises:
        SystemExit: With the problem list (exit status 1) when the
            converter raises :class:`DatasetError`.
    """
    try:
        summary = convert(**kwargs)
    except DatasetError as err:
        sys.exit(str(err))
    print(json.dumps(summary, indent=2))
