# Copyright (c) mmir contributors. All rights reserved.
from .cpu_distributed import CPUDistributedDataParallel, setup_cpu_distributed
from .hooks import *  # noqa: F401,F403
from .optimizers import *  # noqa: F401,F403

__all__ = ['CPUDistributedDataParallel', 'setup_cpu_distributed']
