# Copyright (c) mmir contributors. All rights reserved.
"""Config tests: every config builds its model and runs
(``test_build_all``); the authors' settings of PAD, UNIP and the
downstream dataset configs (``test_pad``, ``test_unip``,
``test_dataset_configs``)."""
from .helpers import CONFIGS, strip_pretrained

__all__ = ['CONFIGS', 'strip_pretrained']
