# Copyright (c) mmir contributors. All rights reserved.
from .nmi_had import NMIHAD

__all__ = ['NMIHAD']
