# Copyright (c) mmir contributors. All rights reserved.
from .base import ImageTokenizer
from .dalle import DALLEDecoder, DALLETokenizer
from .vq_tokenizer import VQTokenizer

__all__ = ['DALLEDecoder', 'DALLETokenizer', 'ImageTokenizer', 'VQTokenizer']
