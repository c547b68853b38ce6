# Copyright (c) mmir contributors. All rights reserved.
from .adavipro_classifier import AdaViProClassifier
from .clip_text import (OpenCLIPTokenizer, load_prototypes, save_prototypes,
                        text_prototypes)
from .edge_detector import LaplacianEdgeDetector
from .pad_prompter import PadPrompter
from .region_mask import RegionMaskGenerator

__all__ = [
    'AdaViProClassifier', 'LaplacianEdgeDetector', 'OpenCLIPTokenizer',
    'PadPrompter', 'RegionMaskGenerator', 'load_prototypes',
    'save_prototypes', 'text_prototypes'
]
