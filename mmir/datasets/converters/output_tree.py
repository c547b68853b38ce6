# Copyright (c) mmir contributors. All rights reserved.
"""Placing files in a converter's output tree: copied or linked source
files, and written images."""
import os
import os.path as osp
import shutil

import cv2
import numpy as np

LINK_MODES = ('copy', 'symlink', 'hardlink')


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
