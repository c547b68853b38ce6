# Copyright (c) mmir contributors. All rights reserved.
"""SCUT-Seg release -> mmir's SCUT-Seg layout.

The release is read as ``images/*.jpg``, label maps ``labels/*.png`` and
the split files ``train.txt`` / ``val.txt``; other folder names or image
suffixes can be given.  The output is ``images/``, ``labels/`` (plain
uint8 id maps), ``train.txt`` and ``val.txt``.
"""
import os.path as osp

from ..class_names import SCUT_SEG_CLASSES
from .seg_tree import convert_seg_tree

SPLITS = ('train', 'val')


def convert(src: str,
            dst: str,
            img_dir: str = 'images',
            ann_dir: str = 'labels',
            img_suffix: str = '.jpg',
            link: str = 'copy') -> dict:
    """Check the SCUT-Seg release and write it in mmir's layout.

    Args:
        src (str): The release root.
        dst (str): Output root.
        img_dir (str): Image folder in ``src``. Defaults to 'images'.
        ann_dir (str): Label folder in ``src``. Defaults to 'labels'.
        img_suffix (str): Image suffix, kept in the output. Defaults to
            '.jpg'.
        link (str): ``'copy'``, ``'symlink'`` or ``'hardlink'`` for the
            images, which are not changed. Defaults to 'copy'.

    Returns:
        dict: Output root, samples per split file and the number of
        images in no split (not converted).

    Raises:
        DatasetError: Listing every missing, unreadable or invalid file.
    """
    return convert_seg_tree(
        f'SCUT-Seg release at {src}',
        src_imgs=(osp.join(src, img_dir), img_suffix),
        src_anns=(osp.join(src, ann_dir), '.png'),
        src_splits={split: osp.join(src, f'{split}.txt')
                    for split in SPLITS},
        dst_root=dst,
        dst_dirs=('images', 'labels'),
        dst_splits={f'{split}.txt': (split, )
                    for split in SPLITS},
        num_classes=len(SCUT_SEG_CLASSES),
        link=link)
