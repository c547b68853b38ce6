# Copyright (c) mmir contributors. All rights reserved.
"""InfMix (UNIP): list InfPre, the ImageNet-1K subset and COCO train2017.

Images stay where they are; the list names them relative to ``data_root``.
"""
import os
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence

from ..problems import raise_if_problems
from .pretrain_common import (natural_key, require_dirs, resolve,
                              scan_images, sorted_images, to_entries,
                              write_pretrain_list)

SOURCE_DIRS = dict(
    infpre='InfPre', in1k='imagenet/train', coco='coco/train2017')
# The downstream benchmarks, never part of InfPre (compared lower-case,
# without punctuation, so 'SCUT-Seg' and 'scut_seg' both match).
EXCLUDED = ('soda', 'mfnet', 'scutseg')
# Sizes quoted by the UNIP spec (InfPre unverified; 859,375 in all).
PAPER_COUNTS = dict(infpre=541088, in1k=200000, coco=118287)


def is_excluded(name: str) -> bool:
    """Whether an InfPre folder is one of the benchmark datasets."""
    return re.sub(r'[^a-z0-9]', '', name.lower()) in EXCLUDED


def list_infpre(folder: str, problems: List[str]) -> Dict[str, List[str]]:
    """InfPre images per dataset: ``<dataset>/thermal/*``, numeric order.

    Sibling folders such as ``rgb/`` and the excluded benchmark datasets
    are skipped.

    Args:
        folder (str): The InfPre root.
        problems (List[str]): Dataset folders without ``thermal/`` are
            appended here.

    Returns:
        Dict[str, List[str]]: Dataset name -> image paths, by name.
    """
    datasets = {}
    for name in sorted(os.listdir(folder)):
        path = osp.join(folder, name)
        if not osp.isdir(path) or is_excluded(name):
            continue
        thermal = osp.join(path, 'thermal')
        if osp.isdir(thermal):
            datasets[name] = sorted(
                scan_images(thermal, recursive=False), key=natural_key)
        else:
            problems.append(f'{path}: no thermal/ folder')
    return datasets


def list_in1k(folder: str, per_class: int) -> List[str]:
    """The first ``per_class`` images of every class, in glob order.

    Args:
        folder (str): The ImageNet-1K ``train`` folder (class folders).
        per_class (int): Images kept per class.

    Returns:
        List[str]: Image paths, classes in sorted order.
    """
    paths = []
    for name in sorted(os.listdir(folder)):
        if osp.isdir(osp.join(folder, name)):
            images = scan_images(osp.join(folder, name), recursive=False)
            paths += images[:per_class]
    return paths


def convert(data_root: str,
            out_file: str = 'infmix.txt',
            sources: Sequence[str] = tuple(SOURCE_DIRS),
            source_dirs: Optional[Dict[str, str]] = None,
            per_class: int = 200) -> dict:
    """Write the InfMix list file and its per-source counts.

    Args:
        data_root (str): Root the list's paths are relative to.
        out_file (str): List file, relative to ``data_root`` unless
            absolute. Defaults to 'infmix.txt'.
        sources (Sequence[str]): Sources to list, of ``infpre``, ``in1k``
            and ``coco``. Defaults to all three.
        source_dirs (Dict[str, str], optional): Source -> folder (relative
            to ``data_root`` or absolute) replacing :data:`SOURCE_DIRS`.
            Defaults to None.
        per_class (int): ImageNet-1K images per class. Defaults to 200.

    Returns:
        dict: ``list_file``, ``counts`` per source, ``total``,
        ``infpre_datasets`` (images per InfPre dataset), ``excluded``
        (benchmark folders found and skipped) and ``paper_counts``; also
        saved as ``<list stem>_counts.json``.

    Raises:
        DatasetError: Naming every missing source folder and every InfPre
            dataset folder without ``thermal/``.
    """
    source_dirs = {**SOURCE_DIRS, **(source_dirs or {})}
    unknown = set(sources) - set(SOURCE_DIRS)
    if unknown:
        raise KeyError(f'unknown InfMix sources {sorted(unknown)}; choose '
                       f'from {list(SOURCE_DIRS)}')
    folders = {tag: resolve(data_root, source_dirs[tag]) for tag in sources}
    what = f'InfMix converter at {data_root}'
    require_dirs(folders, what)
    entries, problems, extra = [], [], {}
    if 'infpre' in folders:
        datasets = list_infpre(folders['infpre'], problems)
        for paths in datasets.values():
            entries += to_entries('infpre', paths, data_root)
        extra['infpre_datasets'] = {k: len(v) for k, v in datasets.items()}
        extra['excluded'] = sorted(
            name for name in os.listdir(folders['infpre'])
            if is_excluded(name))
    if 'in1k' in folders:
        paths = list_in1k(folders['in1k'], per_class)
        entries += to_entries('in1k', paths, data_root)
    if 'coco' in folders:
        paths = sorted_images(folders['coco'], recursive=False)
        entries += to_entries('coco', paths, data_root)
    raise_if_problems(problems, what)
    extra['paper_counts'] = {tag: PAPER_COUNTS[tag] for tag in sources}
    return write_pretrain_list(resolve(data_root, out_file), entries, extra)
