# Copyright (c) mmir contributors. All rights reserved.
"""Dataset converters: public download layouts -> the layouts mmir reads.

Each converter is a module here with a ``convert(src, dst, ...)`` function
that returns a summary dict and raises :class:`mmir.datasets.problems.
DatasetError` listing every bad file at once.  ``tools/dataset_converters/
<name>.py`` is only its command-line face.
"""
