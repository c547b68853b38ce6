# Copyright (c) mmir contributors. All rights reserved.
from .nmi_had import NMIHAD
from .pad_mae import PADMAE

__all__ = ['NMIHAD', 'PADMAE']
