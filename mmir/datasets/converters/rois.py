# Copyright (c) mmir contributors. All rights reserved.
"""Offline RoI proposals of PAD: selective search, filtered, one file each.

For every image ``<image_dir>/<stem>.<ext>`` (:func:`generate_rois`), or
every sample of a dataset with a ``roi_file`` method such as
``MSIPDataset`` (:func:`generate_dataset_rois`), this writes one text file
with one box per line, ``x1 y1 x2 y2`` in integer pixels
(``x2 = x1 + width``, so the box covers columns ``x1 .. x2 - 1``).
:func:`load_rois` reads such a file back for the data pipeline.
"""
import multiprocessing
import os
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np

from ..intensity import percentile_stretch
from ..problems import raise_if_problems

IMAGE_SUFFIXES = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff')


def filter_proposals(rects: np.ndarray,
                     min_area: int = 600,
                     min_side: int = 40,
                     max_aspect: float = 3.0) -> np.ndarray:
    """Keep the large, not too elongated, distinct boxes (PAD §4.1).

    Args:
        rects (np.ndarray): N x 4 boxes ``x, y, w, h`` in pixels.
        min_area (int): Minimum ``w * h``. Defaults to 600.
        min_side (int): Minimum width and height. Defaults to 40.
        max_aspect (float): Maximum of ``w / h`` and ``h / w``.
            Defaults to 3.0.

    Returns:
        np.ndarray: M x 4 int64 boxes ``x1, y1, x2, y2``, unique and
        sorted.
    """
    rects = np.asarray(rects, dtype=np.int64).reshape(-1, 4)
    w, h = rects[:, 2], rects[:, 3]
    keep = ((w * h >= min_area) & (w >= min_side) & (h >= min_side)
            & (w <= max_aspect * h) & (h <= max_aspect * w))
    kept = rects[keep]
    boxes = np.concatenate([kept[:, :2], kept[:, :2] + kept[:, 2:]], axis=1)
    return np.unique(boxes, axis=0)


def selective_search(image: np.ndarray,
                     scale: int = 600,
                     sigma: float = 0.9,
                     min_size: int = 30) -> np.ndarray:
    """Selective search of OpenCV contrib with PAD's segmentation settings.

    PAD calls ``selectivesearch.selective_search(img, scale=600,
    sigma=0.9, min_size=30)``: a Felzenszwalb segmentation merged by the
    sum of colour, texture, size and fill similarities.  This sets up
    ``cv2.ximgproc.segmentation`` the same way; its grouping differs in
    details, so the boxes are close to, not equal to, PAD's.

    Args:
        image (np.ndarray): H x W x 3 uint8 image.
        scale (int): Felzenszwalb ``k``. Defaults to 600.
        sigma (float): Gaussian smoothing of the segmentation.
            Defaults to 0.9.
        min_size (int): Minimum segment size in pixels. Defaults to 30.

    Returns:
        np.ndarray: N x 4 int boxes ``x, y, w, h``, in no fixed order.
    """
    if not hasattr(cv2, 'ximgproc'):
        raise ImportError('selective search needs OpenCV contrib: pip '
                          'install opencv-contrib-python (see '
                          'requirements/optional.txt)')
    seg = cv2.ximgproc.segmentation
    search = seg.createSelectiveSearchSegmentation()
    search.setBaseImage(image)
    search.addImage(image)
    search.addGraphSegmentation(
        seg.createGraphSegmentation(sigma, scale, min_size))
    search.addStrategy(
        seg.createSelectiveSearchSegmentationStrategyMultiple(
            seg.createSelectiveSearchSegmentationStrategyColor(),
            seg.createSelectiveSearchSegmentationStrategyTexture(),
            seg.createSelectiveSearchSegmentationStrategySize(),
            seg.createSelectiveSearchSegmentationStrategyFill()))
    return search.process()


def propose_rois(image: np.ndarray) -> np.ndarray:
    """Filtered, deduplicated selective-search boxes of one image.

    An image deeper than 8 bits is first mapped to 8 bits by
    :func:`percentile_stretch` (1-99 %); one channel is replicated to
    three.

    Args:
        image (np.ndarray): H x W or H x W x 3 image of any dtype.

    Returns:
        np.ndarray: N x 4 int64 boxes ``x1, y1, x2, y2``.
    """
    if image.dtype != np.uint8:
        image = percentile_stretch(image)
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    return filter_proposals(selective_search(image))


def _write_rois(job: Tuple[str, str]) -> Tuple[str, int, Optional[str]]:
    """Write the RoIs of one image; return a problem rather than raise."""
    image_path, out_path = job
    image = cv2.imread(image_path, cv2.IMREAD_UNCHANGED)
    if image is None or (image.ndim == 3 and image.shape[2] != 3):
        return image_path, 0, f'{image_path}: not a 1- or 3-channel image'
    boxes = propose_rois(image)
    os.makedirs(osp.dirname(out_path), exist_ok=True)
    np.savetxt(out_path, boxes, fmt='%d')
    return image_path, len(boxes), None


def _one_thread() -> None:
    """Keep each worker process on one OpenCV thread."""
    cv2.setNumThreads(1)


def write_rois(jobs: Sequence[Tuple[str, str]], workers: int,
               what: str) -> dict:
    """Propose and write the RoIs of ``(image, RoI file)`` pairs.

    Args:
        jobs (Sequence[Tuple[str, str]]): Image paths and their RoI files;
            missing folders are created.
        workers (int): Worker processes; 0 or 1 runs in this process.
        what (str): What is processed, for the error message.

    Returns:
        dict: ``images`` and ``boxes`` counts.

    Raises:
        DatasetError: Naming every image that could not be read, after the
            readable ones are written.
    """
    if workers > 1:
        # 'spawn': forking a parent whose OpenCV/torch thread pools are
        # running can deadlock the children on an inherited lock.
        context = multiprocessing.get_context('spawn')
        with context.Pool(workers, initializer=_one_thread) as pool:
            done = pool.map(_write_rois, jobs, chunksize=4)
    else:
        done = [_write_rois(job) for job in jobs]
    raise_if_problems([problem for _, _, problem in done if problem], what)
    return dict(images=len(done), boxes=sum(n for _, n, _ in done))


def generate_rois(image_dir: str, out_dir: str, workers: int = 4) -> dict:
    """Write ``<out_dir>/<stem>.txt`` for every image in ``image_dir``.

    Args:
        image_dir (str): Folder of images (not searched recursively).
        out_dir (str): Folder of the RoI files, PAD's ``roi/``.
        workers (int): Worker processes; 0 or 1 runs in this process.
            Defaults to 4.

    Returns:
        dict: ``images`` and ``boxes`` counts and the ``out_dir``.

    Raises:
        DatasetError: Naming every image that could not be read, after the
            readable ones are written.
    """
    names = sorted(
        name for name in os.listdir(image_dir)
        if name.lower().endswith(IMAGE_SUFFIXES))
    jobs = [(osp.join(image_dir, name),
             osp.join(out_dir, osp.splitext(name)[0] + '.txt'))
            for name in names]
    summary = write_rois(jobs, workers, f'generate_rois in {image_dir}')
    return dict(summary, out_dir=out_dir)


def generate_dataset_rois(dataset, workers: int = 4) -> dict:
    """Write the RoI file of every sample of a dataset, where it reads it.

    Only the listed images are processed (MSIP lists every 10th video
    frame), and the files land where ``dataset.roi_file`` looks for them.

    Args:
        dataset: A dataset with ``load_data_list`` and ``roi_file``, e.g.
            an ``MSIPDataset``.
        workers (int): Worker processes; 0 or 1 runs in this process.
            Defaults to 4.

    Returns:
        dict: ``images`` and ``boxes`` counts.

    Raises:
        DatasetError: Naming every image that could not be read, after the
            readable ones are written.
    """
    paths = [sample['img_path'] for sample in dataset.load_data_list()]
    jobs = [(path, dataset.roi_file(path)) for path in paths]
    return write_rois(jobs, workers,
                      f'generate_rois for {dataset.ann_file}')


def load_rois(path: str) -> np.ndarray:
    """Read a RoI file written by :func:`generate_rois`.

    Args:
        path (str): The ``roi/<stem>.txt`` file.

    Returns:
        np.ndarray: N x 4 float32 boxes ``x1, y1, x2, y2``; a 0 x 4 array
        when the file is missing or empty.

    Raises:
        DatasetError: Naming the file and line of every malformed box.
    """
    if not osp.isfile(path):
        return np.zeros((0, 4), dtype=np.float32)
    boxes: List[List[float]] = []
    problems = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                box = [float(v) for v in line.split()]
            except ValueError:
                box = []
            if (len(box) != 4 or not np.all(np.isfinite(box))
                    or box[2] < box[0] or box[3] < box[1]):
                problems.append(f'{path}:{number}: expected "x1 y1 x2 y2" '
                                f'with x1 <= x2, y1 <= y2, got {line!r}')
            boxes.append(box)
    raise_if_problems(problems, 'load_rois')
    return np.array(boxes, dtype=np.float32).reshape(-1, 4)
