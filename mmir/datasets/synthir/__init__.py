# Copyright (c) mmir contributors. All rights reserved.
"""SynthIR: a seeded synthetic infrared dataset in real datasets' layouts."""
from .generate import LAYOUTS, generate_synthir
from .scene import Scene, render_scene

__all__ = ['LAYOUTS', 'Scene', 'generate_synthir', 'render_scene']
