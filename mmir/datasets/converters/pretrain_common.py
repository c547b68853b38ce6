# Copyright (c) mmir contributors. All rights reserved.
"""Helpers shared by the pre-training list converters (MSIP, InfMix).

A pre-training list holds one ``<source_tag> <relative/path>`` per line;
the path is relative to the dataset's ``data_root``.  Its per-source counts
are saved next to it as ``<list stem>_counts.json``.
"""
import json
import os
import os.path as osp
import re
from collections import Counter
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import cv2

from ..problems import raise_if_problems

IMG_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp')
Entry = Tuple[str, str]


def is_image(name: str) -> bool:
    """Whether ``name`` has an image suffix (case-insensitive)."""
    return name.lower().endswith(IMG_EXTENSIONS)


def natural_key(path: str) -> list:
    """Sort key of a file name: digit runs compare as numbers.

    ``'9.jpg' < '10.jpg'`` and ``'i0009.jpg' < 'i0010.jpg'``; integer
    stems therefore sort numerically, as the authors' code sorts them.

    Args:
        path (str): A file name or path; only its base name is used.

    Returns:
        list: Alternating text and integer parts.
    """
    parts = re.split(r'(\d+)', osp.basename(path))
    return [int(p) if p.isdigit() else p.lower() for p in parts]


def scan_images(folder: str, recursive: bool = True) -> List[str]:
    """Image files under ``folder`` in directory-listing (glob) order.

    Args:
        folder (str): Folder to walk.
        recursive (bool): Whether to descend into sub-folders (visited in
            sorted order). Defaults to True.

    Returns:
        List[str]: Paths joined onto ``folder``.
    """
    files, subdirs = [], []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir():
                subdirs.append(entry.path)
            elif is_image(entry.name):
                files.append(entry.path)
    if recursive:
        for sub in sorted(subdirs):
            files += scan_images(sub)
    return files


def sorted_images(folder: str, recursive: bool = True) -> List[str]:
    """Image files under ``folder``, sorted by folder then numerically."""
    return sorted(
        scan_images(folder, recursive),
        key=lambda p: (osp.dirname(p), natural_key(p)))


def every_nth_per_folder(paths: Sequence[str], step: int) -> List[str]:
    """Keep frames 0, step, 2*step, ... of every folder (one video each).

    Args:
        paths (Sequence[str]): Paths sorted by folder, then numerically.
        step (int): Keep every ``step``-th frame of a folder.

    Returns:
        List[str]: The kept paths, in input order.
    """
    kept, folder, index = [], None, 0
    for path in paths:
        if osp.dirname(path) != folder:
            folder, index = osp.dirname(path), 0
        if index % step == 0:
            kept.append(path)
        index += 1
    return kept


def bright_images(paths: Sequence[str], max_dark: int,
                  unreadable: List[str]) -> List[str]:
    """Drop dark frames: keep images whose maximum value is above a level.

    Args:
        paths (Sequence[str]): Images to read (cv2, unchanged depth).
        max_dark (int): An image whose maximum is ``<= max_dark`` is dark.
        unreadable (List[str]): Paths cv2 cannot read are appended here,
            so that a converter reports them all at once.

    Returns:
        List[str]: The images that are not dark, in input order.
    """
    kept = []
    for path in paths:
        img = cv2.imread(path, cv2.IMREAD_UNCHANGED)
        if img is None:
            unreadable.append(f'{path}: unreadable image')
        elif img.max() > max_dark:
            kept.append(path)
    return kept


def resolve(root: str, path: str) -> str:
    """``path`` itself if absolute, else joined onto ``root``."""
    return path if osp.isabs(path) else osp.join(root, path)


def require_dirs(dirs: Dict[str, str], what: str) -> None:
    """Raise one :class:`DatasetError` naming every missing folder.

    Args:
        dirs (Dict[str, str]): Source tag -> folder that must exist.
        what (str): The converter, for the message.
    """
    raise_if_problems([
        f'{path}: missing folder of source {tag!r}'
        for tag, path in dirs.items() if not osp.isdir(path)
    ], what)


def to_entries(tag: str, paths: Iterable[str], root: str) -> List[Entry]:
    """Pair each path, made relative to ``root``, with ``tag``."""
    return [(tag, osp.relpath(p, root)) for p in paths]


def write_pretrain_list(out_file: str,
                        entries: Sequence[Entry],
                        extra: Optional[dict] = None) -> dict:
    """Write the list file and its counts JSON; return the summary.

    Args:
        out_file (str): Path of the list file.
        entries (Sequence[Entry]): ``(source_tag, relative_path)`` pairs.
        extra (dict, optional): More summary fields (e.g. a breakdown).
            Defaults to None.

    Returns:
        dict: ``list_file``, per-source ``counts``, ``total`` and
        ``extra``'s fields; also saved as ``<list stem>_counts.json``.
    """
    os.makedirs(osp.dirname(osp.abspath(out_file)), exist_ok=True)
    with open(out_file, 'w') as f:
        f.writelines(f'{tag} {path}\n' for tag, path in entries)
    counts = dict(Counter(tag for tag, _ in entries))
    summary = dict(list_file=out_file, counts=counts, total=len(entries))
    summary.update(extra or {})
    with open(osp.splitext(out_file)[0] + '_counts.json', 'w') as f:
        json.dump(summary, f, indent=2)
    return summary


def format_summary(summary: dict) -> str:
    """Render a converter summary for the terminal.

    Args:
        summary (dict): As returned by :func:`write_pretrain_list`.

    Returns:
        str: One line per source (with the paper's count where known),
        per entry of other count tables, the total and the list file.
    """
    paper = summary.get('paper_counts', {})
    lines = []
    for tag, count in summary['counts'].items():
        note = f'  (paper: {paper[tag]})' if tag in paper else ''
        lines.append(f'{tag}: {count}{note}')
    for key, value in summary.items():
        if key in ('counts', 'paper_counts', 'total', 'list_file'):
            continue
        if isinstance(value, dict):
            lines += [f'  {key}/{name}: {n}' for name, n in value.items()]
        else:
            lines.append(f'{key}: {value}')
    lines.append(f'total: {summary["total"]}')
    lines.append(f'list written to {summary["list_file"]}')
    return '\n'.join(lines)


def convert_synthir(root: str, out_file: str, image_dir: str) -> dict:
    """Write a one-source (``synthir``) list over a SynthIR tree.

    Args:
        root (str): SynthIR root; also the ``data_root`` of the list.
        out_file (str): List file, relative to ``root`` unless absolute.
        image_dir (str): Image folder relative to ``root``, e.g. the 8-bit
            ``soda/InfraredSemanticLabel/JPEGImages``.

    Returns:
        dict: The summary of :func:`write_pretrain_list`.
    """
    folder = osp.join(root, image_dir)
    require_dirs({'synthir': folder}, f'SynthIR list at {root}')
    entries = to_entries('synthir', sorted_images(folder), root)
    return write_pretrain_list(resolve(root, out_file), entries)
