# Copyright (c) mmir contributors. All rights reserved.
"""BEiT-style pre-training checkpoints (mmpretrain ``BEiTViT`` names) read
by BEiT-style fine-tuning.

A BEiT-style pre-training (CIM's ViT enhancer, mmpretrain's BEiT) ends in
a final token norm, ``ln1``.  BEiT's fine-tuning has none: classification
averages the patch tokens and normalises them with a new ``ln2``, and
segmentation takes the blocks' outputs.  The key map ``beit_finetune``
drops ``ln1``, which mmpretrain's own BEiT fine-tuning leaves unused
without a word; everything else keeps its name (the shared relative
position table of pre-training is copied into every block by
``BEiTViT``'s own load hook).
"""
from ..key_map import KeyMap

KEY_MAPS = {'beit_finetune': KeyMap([], [r'^ln1\.'])}
