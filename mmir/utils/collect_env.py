# Copyright (c) mmir contributors. All rights reserved.
"""Report the environment mmir runs in."""
from importlib.metadata import PackageNotFoundError, version

from mmengine.utils.dl_utils import collect_env as collect_base_env

import mmir

OPENMMLAB_PACKAGES = ('mmcv', 'mmengine', 'mmpretrain', 'mmsegmentation',
                      'mmdet')


def collect_env() -> dict:
    """Collect the system, torch and OpenMMLab versions.

    Returns:
        dict: Name to version or description, ready to print.
    """
    env = collect_base_env()
    for package in OPENMMLAB_PACKAGES:
        try:
            env[package] = version(package)
        except PackageNotFoundError:
            env[package] = 'not installed'
    env['mmir'] = mmir.__version__
    return env


if __name__ == '__main__':
    for name, value in collect_env().items():
        print(f'{name}: {value}')
