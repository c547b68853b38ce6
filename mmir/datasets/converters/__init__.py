# Copyright (c) mmir contributors. All rights reserved.
"""Dataset converters: public download layouts -> the layouts mmir reads.

Each converter is a module here with a ``convert(src, dst, ...)`` function
that returns a summary dict and raises :class:`mmir.datasets.problems.
DatasetError` listing every bad file at once.  ``tools/dataset_converters/
<name>.py`` is only its command-line face.

Shared parts: the segmentation converters run :mod:`.seg_tree`, built on
:mod:`.splits`, :mod:`.image_checks` and :mod:`.output_tree`; their tools use
:mod:`.cli`; the pre-training list converters share :mod:`.pretrain_common`.
"""
