# Copyright (c) mmir contributors. All rights reserved.
"""Split lists of the segmentation converters: reading, checking and
writing split files, and counting the samples no split lists.

Checks never raise on their own: they return problem lines, each naming
its file, so that a converter can collect them over the whole tree and
report them once with :func:`mmir.datasets.problems.raise_if_problems`.
"""
import os
import os.path as osp
from typing import Dict, Iterable, List, Tuple

IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff')


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
