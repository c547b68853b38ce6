# Copyright (c) mmir contributors. All rights reserved.
from .cim import CIM
from .itpn import iTPN
from .nmi_had import NMIHAD
from .pad_mae import PADMAE
from .vq_tokenizer_pretrain import VQTokenizerPretrain

__all__ = ['CIM', 'iTPN', 'NMIHAD', 'PADMAE', 'VQTokenizerPretrain']
