# Copyright (c) mmir contributors. All rights reserved.
from .itpn import iTPN
from .nmi_had import NMIHAD
from .pad_mae import PADMAE

__all__ = ['iTPN', 'NMIHAD', 'PADMAE']
