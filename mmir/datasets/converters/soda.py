# Copyright (c) mmir contributors. All rights reserved.
"""SODA release -> mmir's SODA layout.

The release (labelme2voc output) holds ``InfraredSemanticLabel/`` with
``JPEGImages/*.jpg``, palette PNG labels in ``SegmentationClassPNG/`` and
the split files ``train_infrared.txt`` / ``test_infrared.txt``.  The output
keeps that layout, with labels rewritten as plain uint8 id maps.
"""
import os.path as osp

from ..class_names import SODA_CLASSES
from .seg_tree import convert_seg_tree

SUBDIR = 'InfraredSemanticLabel'
IMG_DIR, ANN_DIR = 'JPEGImages', 'SegmentationClassPNG'
SPLITS = dict(train='train_infrared.txt', test='test_infrared.txt')


def convert(src: str, dst: str, link: str = 'copy') -> dict:
    """Check the SODA release and write it in mmir's layout.

    Args:
        src (str): The release root, or its ``InfraredSemanticLabel``
            folder.
        dst (str): Output root; the data goes to
            ``dst/InfraredSemanticLabel``.
        link (str): ``'copy'``, ``'symlink'`` or ``'hardlink'`` for the
            images, which are not changed. Defaults to 'copy'.

    Returns:
        dict: Output root, samples per split file and the number of
        images in no split (not converted).

    Raises:
        DatasetError: Listing every missing, unreadable or invalid file.
    """
    root = osp.join(src, SUBDIR) if osp.isdir(osp.join(src, SUBDIR)) \
        else src
    return convert_seg_tree(
        f'SODA release at {root}',
        src_imgs=(osp.join(root, IMG_DIR), '.jpg'),
        src_anns=(osp.join(root, ANN_DIR), '.png'),
        src_splits={
            split: osp.join(root, name)
            for split, name in SPLITS.items()
        },
        dst_root=osp.join(dst, SUBDIR),
        dst_dirs=(IMG_DIR, ANN_DIR),
        dst_splits={name: (split, )
                    for split, name in SPLITS.items()},
        num_classes=len(SODA_CLASSES),
        link=link)
