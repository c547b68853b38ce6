# Copyright (c) mmir contributors. All rights reserved.
"""The identity format: mmpretrain's (and so mmir's) own names.

mmir checkpoints and the files the converters write already carry these
names, so the key map ``mmpretrain`` renames nothing; it is the default of
``mmir.StrictPretrained(key_map=...)`` and ``NMIHAD(teacher_key_map=...)``.
The names a converted ViT may hold are also defined here, as the layout the
other formats' converters check their output against.
"""
import re

from ..key_map import KeyMap

KEY_MAPS = {'mmpretrain': KeyMap([], [])}

# mmpretrain VisionTransformer names a converted ViT may contain.
VIT_KEYS = re.compile(
    r'^(cls_token|pos_embed|patch_embed\.projection\.(weight|bias)'
    r'|ln1\.(weight|bias)'
    r'|layers\.\d+\.(ln[12]\.(weight|bias)'
    r'|attn\.(qkv|proj)\.(weight|bias)'
    r'|ffn\.layers\.(0\.0|1)\.(weight|bias)'
    r'|attn\.gamma1\.weight|ffn\.gamma2\.weight))$')
# Keys without which a file is not a ViT.
REQUIRED_KEYS = ('patch_embed.projection.weight', 'layers.0.attn.qkv.weight')
# Where a self-supervised model (and its fine-tuning export) keeps the
# student ViT.
STUDENT_PREFIX = 'backbone.'
