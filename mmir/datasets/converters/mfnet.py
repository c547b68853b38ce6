# Copyright (c) mmir contributors. All rights reserved.
"""MFNet release -> mmir's MFNet-T (thermal only) layout.

The release (``ir_seg_dataset``) holds 4-channel PNGs ``images/*.png``
(R, G, B, thermal), uint8 label maps ``labels/*.png`` and the split files
``train.txt``, ``val.txt`` and ``test.txt``.  The output has the thermal
channel as 1-channel PNGs in ``thermal_imgs/``, the labels in ``labels/``,
the three split files and ``val_test.txt`` (val then test), the split the
UNIP and PAD authors validate on.
"""
import os.path as osp

from ..class_names import MFNET_CLASSES
from .seg_tree import convert_seg_tree

SPLITS = ('train', 'val', 'test')
OUT_SPLITS = {
    'train.txt': ('train', ),
    'val.txt': ('val', ),
    'test.txt': ('test', ),
    'val_test.txt': ('val', 'test'),
}
THERMAL_CHANNEL = 3


def convert(src: str, dst: str) -> dict:
    """Check the MFNet release and write its thermal channel and labels.

    Args:
        src (str): The release root, holding ``images/``, ``labels/`` and
            the split files.
        dst (str): Output root.

    Returns:
        dict: Output root, samples per split file and the number of
        images in no split (not converted).

    Raises:
        DatasetError: Listing every missing or unreadable file, image
            without 4 channels, and label map with invalid ids.
    """
    return convert_seg_tree(
        f'MFNet release at {src}',
        src_imgs=(osp.join(src, 'images'), '.png'),
        src_anns=(osp.join(src, 'labels'), '.png'),
        src_splits={split: osp.join(src, f'{split}.txt')
                    for split in SPLITS},
        dst_root=dst,
        dst_dirs=('thermal_imgs', 'labels'),
        dst_splits=OUT_SPLITS,
        num_classes=len(MFNET_CLASSES),
        channels=(4, ),
        extract_channel=THERMAL_CHANNEL)
