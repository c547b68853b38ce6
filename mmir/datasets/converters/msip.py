# Copyright (c) mmir contributors. All rights reserved.
"""MSIP (PAD): list the 8 infrared sources with the paper's selection rules.

Images stay where they are; the list names them relative to the MSIP root.
"""
import os.path as osp
from typing import Dict, NamedTuple, Optional, Sequence

from ..problems import raise_if_problems
from .pretrain_common import (bright_images, every_nth_per_folder,
                              require_dirs, resolve, sorted_images,
                              to_entries, write_pretrain_list)


class SourceRule(NamedTuple):
    """How one MSIP source is selected.

    Args:
        folder (str): Default folder, relative to the MSIP root.
        step (int): Keep every ``step``-th image. Defaults to 1.
        per_video (bool): Count ``step`` per folder (one video each)
            rather than over the whole source. Defaults to False.
        max_dark (int, optional): Drop images whose maximum is
            ``<= max_dark``. Defaults to None (keep all).
        parent (str, optional): Only images whose folder has this name
            (e.g. LasHeR's ``infrared``). Defaults to None.
    """

    folder: str
    step: int = 1
    per_video: bool = False
    max_dark: Optional[int] = None
    parent: Optional[str] = None


RULES: Dict[str, SourceRule] = dict(
    dronevehicle=SourceRule('dronevehicle/train/trainimgr'),
    scut_fir_pedestrian=SourceRule(
        'scut_fir_pedestrian', step=10, per_video=True, max_dark=20),
    llvip=SourceRule('llvip/infrared/train'),
    aerial=SourceRule('aerial', step=2),
    ship=SourceRule('ship'),
    security=SourceRule('security'),
    lsotb_tir=SourceRule('lsotb_tir/TrainingData', step=10, per_video=True),
    lasher=SourceRule(
        'lasher/TrainingSet', step=10, per_video=True, parent='infrared'))

# Images per source after selection, PAD paper / docs (178,756 in all).
PAPER_COUNTS = dict(
    dronevehicle=17990,
    scut_fir_pedestrian=21049,
    llvip=12025,
    aerial=5523,
    ship=8402,
    security=8999,
    lsotb_tir=52925,
    lasher=51843)


def select(folder: str, rule: SourceRule, unreadable: list) -> list:
    """Apply one source's rule to the images under ``folder``.

    Args:
        folder (str): The source's image folder (walked recursively).
        rule (SourceRule): Its selection rule.
        unreadable (list): Collects images the dark filter cannot read.

    Returns:
        list: The selected paths, sorted by folder then numerically.
    """
    paths = sorted_images(folder)
    if rule.parent is not None:
        paths = [p for p in paths if osp.basename(osp.dirname(p))
                 == rule.parent]
    if rule.per_video:
        paths = every_nth_per_folder(paths, rule.step)
    else:
        paths = paths[::rule.step]
    if rule.max_dark is not None:
        paths = bright_images(paths, rule.max_dark, unreadable)
    return paths


def convert(root: str,
            out_file: str = 'msip.txt',
            sources: Sequence[str] = tuple(RULES),
            source_dirs: Optional[Dict[str, str]] = None) -> dict:
    """Write the MSIP list file and its per-source counts.

    Args:
        root (str): MSIP root; the list's paths are relative to it.
        out_file (str): List file, relative to ``root`` unless absolute.
            Defaults to 'msip.txt'.
        sources (Sequence[str]): Sources to list. Defaults to all 8.
        source_dirs (Dict[str, str], optional): Source -> image folder
            (relative to ``root`` or absolute) replacing the default of
            :data:`RULES`. Defaults to None.

    Returns:
        dict: ``list_file``, ``counts`` per source, ``total`` and
        ``paper_counts`` (also saved as ``<list stem>_counts.json``).

    Raises:
        DatasetError: Naming every missing source folder, or every image
            the dark-frame filter could not read.
    """
    source_dirs = source_dirs or {}
    unknown = (set(sources) | set(source_dirs)) - set(RULES)
    if unknown:
        raise KeyError(f'unknown MSIP sources {sorted(unknown)}; choose '
                       f'from {list(RULES)}')
    folders = {
        tag: resolve(root, source_dirs.get(tag, RULES[tag].folder))
        for tag in sources
    }
    what = f'MSIP converter at {root}'
    require_dirs(folders, what)
    entries, unreadable = [], []
    for tag, folder in folders.items():
        paths = select(folder, RULES[tag], unreadable)
        entries += to_entries(tag, paths, root)
    raise_if_problems(unreadable, what)
    return write_pretrain_list(
        resolve(root, out_file), entries,
        dict(paper_counts={tag: PAPER_COUNTS[tag]
                           for tag in sources}))
