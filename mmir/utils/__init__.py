# Copyright (c) mmir contributors. All rights reserved.
from .collect_env import collect_env
from .setup_env import register_all_modules

__all__ = ['collect_env', 'register_all_modules']
