# Copyright (c) mmir contributors. All rights reserved.
"""Draw what a trained AdaViPro (or VP) model does to a few images.

One PNG row per sample of the config's ``--split`` dataset (the first
``--num-images``), four tiles at the model's input size, under a header
of labels:

* ``image``: the input as the data preprocessor gives it to the model,
  un-normalised with its mean and std;
* ``edges``: the absolute value of the edge detector's map, scaled to
  0-255 per image (the channel mean when it has several channels);
* ``mask``: the region mask of the prompt, 255 where it is on;
* ``prompted``: ``x + P * m``, what the frozen classifier sees,
  un-normalised and clipped to 0-255.

The model is built in eval mode (argmax region decisions: deterministic)
and the whole model's weights are loaded strictly from ``state_dict`` of
the checkpoint (its ``init_weights`` is not run, so no classifier or CLIP
checkpoint is read).  Neither the classifier nor CLIP's text tower runs.
For VP (no mask generator) the mask column is all on and the edge column
shows a default :class:`~mmir.models.LaplacianEdgeDetector` of the input,
which the model itself does not use.

Prints the path and, per image, the share of regions switched on.
"""
import argparse
import os
import os.path as osp
import sys
from typing import List, Sequence, Tuple

import cv2
import numpy as np
import torch
from mmengine.config import Config, DictAction
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope
from mmpretrain.registry import DATASETS

from mmir.checkpoint import load_strict, read_state_dict
from mmir.models import AdaViProClassifier, LaplacianEdgeDetector
from mmir.registry import MODELS

COLUMNS = ('image', 'edges', 'mask', 'prompted')
GAP = 4
HEADER = 16
BACKGROUND = 255
TEXT_COLOUR = (0, 0, 0)
FONT_SCALE = 0.35


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='an AdaViPro or VP config')
    parser.add_argument('checkpoint', help='a trained checkpoint of it')
    parser.add_argument('--out', required=True, help='PNG file to write')
    parser.add_argument(
        '--num-images', type=int, default=8, help='first N samples')
    parser.add_argument(
        '--split', default='test', choices=['test', 'val', 'train'])
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction, help='overrides')
    args = parser.parse_args()
    if args.num_images < 1:
        parser.error('--num-images must be at least 1')
    return args


def build_model(cfg: Config, checkpoint: str) -> AdaViProClassifier:
    """The config's model with the checkpoint's weights, in eval mode.

    Raises:
        TypeError: If the config's model is not an AdaViPro classifier.
        KeyError: Naming the file, if its weights do not fit the model.
    """
    model = MODELS.build(cfg.model)
    if not isinstance(model, AdaViProClassifier):
        raise TypeError(f'the config builds {type(model).__name__}, not '
                        f'mmir.AdaViProClassifier')
    load_strict(model, read_state_dict(checkpoint), checkpoint)
    return model.eval()


def first_samples(cfg: Config, split: str, num_images: int) -> dict:
    """The first samples of the split's dataset, collated as a loader
    would (not yet preprocessed)."""
    dataset = DATASETS.build(cfg[f'{split}_dataloader']['dataset'])
    count = min(num_images, len(dataset))
    if count < 1:
        raise ValueError(f'the {split} dataset is empty')
    return pseudo_collate([dataset[index] for index in range(count)])


def to_bgr(images: torch.Tensor, model: AdaViProClassifier) -> np.ndarray:
    """Normalised model inputs as uint8 BGR images (B, H, W, 3): the data
    preprocessor's normalisation and channel flip undone, clipped."""
    preprocessor = model.data_preprocessor
    if getattr(preprocessor, 'mean', None) is not None:
        images = images * preprocessor.std + preprocessor.mean
    pixels = images.clamp(0, 255).round().byte().permute(0, 2, 3, 1)
    pixels = pixels.cpu().numpy()
    if pixels.shape[-1] == 1:
        return np.repeat(pixels, 3, axis=-1)
    return pixels[..., ::-1] if preprocessor.to_rgb else pixels


def to_gray_bgr(maps: torch.Tensor) -> np.ndarray:
    """Maps (B, 1, H, W) in [0, 255] as uint8 BGR images (B, H, W, 3)."""
    pixels = maps[:, 0].round().byte().cpu().numpy()
    return np.repeat(pixels[..., None], 3, axis=-1)


def edge_tiles(edges: torch.Tensor) -> np.ndarray:
    """Absolute edge maps scaled to 0-255 per image, as BGR images."""
    magnitude = edges.abs().mean(dim=1, keepdim=True)
    peak = magnitude.flatten(1).amax(dim=1).clamp(min=1e-12)
    return to_gray_bgr(magnitude * 255 / peak.view(-1, 1, 1, 1))


def compose(rows: Sequence[Sequence[np.ndarray]]) -> np.ndarray:
    """Tiles of equal size on a background, ``GAP`` apart, below a header
    of the ``COLUMNS`` labels."""
    height, width = rows[0][0].shape[:2]
    canvas = np.full((HEADER + GAP + len(rows) * (height + GAP),
                      GAP + len(COLUMNS) * (width + GAP), 3),
                     BACKGROUND,
                     dtype=np.uint8)
    for col, label in enumerate(COLUMNS):
        cv2.putText(canvas, label, (GAP + col * (width + GAP), HEADER - 4),
                    cv2.FONT_HERSHEY_SIMPLEX, FONT_SCALE, TEXT_COLOUR, 1,
                    cv2.LINE_AA)
    for row, tiles in enumerate(rows):
        top = HEADER + GAP + row * (height + GAP)
        for col, tile in enumerate(tiles):
            left = GAP + col * (width + GAP)
            canvas[top:top + height, left:left + width] = tile
    return canvas


@torch.no_grad()
def draw(model: AdaViProClassifier,
         batch: dict) -> Tuple[np.ndarray, List[float]]:
    """The grid of a batch and the share of regions on in each image."""
    inputs = model.data_preprocessor(batch, training=False)['inputs']
    prompted, mask = model.prompted_with_mask(inputs)
    if mask is None:  # VP
        edges = LaplacianEdgeDetector()(inputs)
        mask = inputs.new_ones(inputs.shape[0], 1, *inputs.shape[-2:])
    else:
        edges = model.edge_detector(inputs)
    columns = (to_bgr(inputs, model), edge_tiles(edges),
               to_gray_bgr(mask * 255), to_bgr(prompted, model))
    # Regions are equal tiles of the image: their share is the pixels'.
    shares = mask.flatten(1).mean(dim=1).tolist()
    return compose(list(zip(*columns))), shares


def main() -> None:
    """Build, load, draw and save."""
    args = parse_args()
    files = ((args.config, 'config'), (args.checkpoint, 'checkpoint'))
    for path, what in files:
        if not osp.isfile(path):
            sys.exit(f'adavipro_masks: error: {path}: no such {what} file')
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    try:
        model = build_model(cfg, args.checkpoint)
    except (KeyError, TypeError) as error:
        sys.exit(f'adavipro_masks: error: {error.args[0]}')
    grid, shares = draw(model,
                        first_samples(cfg, args.split, args.num_images))
    folder = osp.dirname(args.out)
    if folder:
        os.makedirs(folder, exist_ok=True)
    if not cv2.imwrite(args.out, grid):
        sys.exit(f'adavipro_masks: error: cannot write {args.out}')
    print(f'{len(shares)} {args.split} samples drawn to {args.out}')
    if model.mask_generator is None:
        print('VP (no mask generator): the prompt is on everywhere')
    for index, share in enumerate(shares):
        print(f'  image {index}: {100 * share:.1f}% of regions on')


if __name__ == '__main__':
    main()
