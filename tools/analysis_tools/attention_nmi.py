# Copyright (c) mmir contributors. All rights reserved.
"""Layer-wise attention NMI of ViTs, as used by UNIP to choose l*.

For every block the normalised mutual information between query and key
positions (Park et al. 2023) is computed per (image, head), averaged over
the images, then over the heads.  Writes to ``--out-dir``:

* ``nmi.json``: ``nmi`` (model name -> one NMI per layer),
  ``closest_layer`` (model name -> 1-based layer closest to ``--target``),
  the target and the images used;
* ``nmi.png``: NMI against layer, one line per model, target dashed;
* ``attn_<model>_layer<l>_query<q>.png``: the head-averaged attention of
  token ``q`` (CLS is token 0, patches follow row by row) over the patch
  grid, overlaid on the first image; the query patch is framed.

The ViT is rebuilt from ``model.backbone`` of each config as an
:class:`~mmir.models.AttnViT` (any mmpretrain-style ViT: ``AttnViT``,
``MAEViT``, ``VisionTransformer``) and its weights are loaded strictly.
"""
import argparse
import glob
import inspect
import json
import os
import os.path as osp
import re
import sys
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from mmengine.config import Config
from mmpretrain.models import VisionTransformer

from mmir.checkpoint import (KEY_MAPS, load_strict, map_keys,
                             read_state_dict)
from mmir.models import AttnViT
from mmir.models.utils import attention_nmi, closest_layer

IMAGE_SUFFIXES = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff')
# UNIP's infrared statistics, used when a config has no data_preprocessor.
GRAY_MEAN = 0.3801 * 255
GRAY_STD = 0.1871 * 255
DEFAULT_PREFIXES = ('backbone.', '')
MIN_MAP_SIZE = 224


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='config whose model.backbone is a ViT')
    parser.add_argument('checkpoint', help='weights of that ViT')
    parser.add_argument('image_dir', help='folder of images (gray or colour)')
    parser.add_argument(
        '--model',
        nargs=2,
        action='append',
        default=[],
        metavar=('CONFIG', 'CHECKPOINT'),
        help='another model for the same plot (repeatable)')
    parser.add_argument(
        '--names', nargs='+', help='model labels, in order; default: the '
        'config file names')
    parser.add_argument(
        '--prefix',
        nargs='+',
        help='prefix of the ViT weights in the checkpoints, one for all or '
        'one per model; default: "backbone." if present, else none')
    parser.add_argument(
        '--key-map',
        nargs='+',
        default=['mmpretrain'],
        choices=sorted(KEY_MAPS),
        help='checkpoint key format, one for all or one per model '
        '("timm_vit" for the official MAE, DINO and iBOT files)')
    parser.add_argument('--num-images', type=int, default=16)
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument(
        '--img-size', type=int, help='input size; default: the backbone\'s')
    parser.add_argument(
        '--layers',
        type=int,
        nargs='+',
        help='1-based layers for the attention maps; default: the first, '
        'middle and last layer and the one closest to --target')
    parser.add_argument(
        '--queries',
        type=int,
        nargs='+',
        help='query token indices for the attention maps (0 is CLS); '
        'default: the centre patch')
    parser.add_argument(
        '--target', type=float, default=0.09, help='UNIP\'s s')
    parser.add_argument('--out-dir', default='work_dirs/attention_nmi')
    return parser.parse_args()


def model_names(configs: Sequence[str],
                names: Optional[Sequence[str]]) -> List[str]:
    """Labels of the models, also used in file names."""
    if names is None:
        names = [osp.splitext(osp.basename(path))[0] for path in configs]
    elif len(names) != len(configs):
        raise ValueError(f'{len(names)} --names for {len(configs)} models')
    if len(set(names)) != len(names):
        raise ValueError(f'model names must differ, got {list(names)}; '
                         f'set --names')
    return list(names)


def per_model(values: list, count: int, option: str) -> list:
    """One value for all models, or exactly one per model."""
    if len(values) == 1:
        return values * count
    if len(values) != count:
        raise ValueError(f'{len(values)} {option} values for {count} models')
    return values


def build_vit(cfg: Config, img_size: Optional[int]) -> AttnViT:
    """An :class:`AttnViT` with the settings of ``cfg.model.backbone``.

    Keys that ``AttnViT`` does not take (e.g. ``MAEViT``'s mask_ratio) and
    ``init_cfg`` are dropped: the weights come from the checkpoint.
    """
    backbone = dict(cfg.model.backbone)
    accepted = (set(inspect.signature(AttnViT).parameters)
                | set(inspect.signature(VisionTransformer).parameters))
    accepted -= {'init_cfg', 'kwargs'}
    settings = {k: v for k, v in backbone.items() if k in accepted}
    dropped = sorted(set(backbone) - set(settings) - {'type'})
    if dropped:
        print(f'  backbone keys not used by AttnViT: {dropped}')
    if img_size is not None:
        settings['img_size'] = img_size
    return AttnViT(**settings)


def load_weights(vit: AttnViT, checkpoint: str, prefix: Optional[str],
                 key_map: str) -> None:
    """Load the ViT weights strictly; errors name the file."""
    if not osp.isfile(checkpoint):
        raise KeyError(f'{checkpoint}: no such checkpoint file')
    prefixes = DEFAULT_PREFIXES if prefix is None else (prefix, )
    for i, candidate in enumerate(prefixes):
        try:
            weights = read_state_dict(checkpoint, candidate)
            break
        except KeyError:
            if i == len(prefixes) - 1:
                raise
    load_strict(vit, map_keys(weights, key_map), checkpoint)


def normalisation(cfg: Config) -> Tuple[np.ndarray, np.ndarray, bool]:
    """Mean, std and BGR-to-RGB flag of the config's data preprocessor."""
    preprocessor = cfg.model.get('data_preprocessor') or {}
    mean = preprocessor.get('mean', [GRAY_MEAN] * 3)
    std = preprocessor.get('std', [GRAY_STD] * 3)
    to_rgb = bool(
        preprocessor.get('to_rgb', preprocessor.get('bgr_to_rgb', False)))
    return (np.asarray(mean, np.float32).reshape(-1, 1, 1),
            np.asarray(std, np.float32).reshape(-1, 1, 1), to_rgb)


def read_images(image_dir: str, num_images: int,
                size: Tuple[int, int]) -> np.ndarray:
    """Read the first images of a folder as 3-channel BGR, resized.

    Returns:
        np.ndarray: uint8 images (num, height, width, 3).
    """
    paths = sorted(
        path for path in glob.glob(osp.join(image_dir, '*'))
        if path.lower().endswith(IMAGE_SUFFIXES))[:num_images]
    if not paths:
        raise FileNotFoundError(f'{image_dir}: no images '
                                f'({", ".join(IMAGE_SUFFIXES)})')
    images = []
    for path in paths:
        image = cv2.imread(path, cv2.IMREAD_COLOR)
        if image is None:
            raise OSError(f'{path}: cannot read the image')
        images.append(
            cv2.resize(image, size[::-1], interpolation=cv2.INTER_LINEAR))
    return np.stack(images)


def to_tensor(images: np.ndarray, mean: np.ndarray, std: np.ndarray,
              to_rgb: bool) -> torch.Tensor:
    """Normalised float tensor (B, 3, H, W) from uint8 BGR images."""
    if to_rgb:
        images = images[..., ::-1]
    chw = images.transpose(0, 3, 1, 2).astype(np.float32)
    return torch.from_numpy((chw - mean) / std)


@torch.no_grad()
def analyse(vit: AttnViT, inputs: torch.Tensor, batch_size: int,
            maps: Dict[int, Sequence[int]]) -> Tuple[List[float], dict]:
    """Layer-wise NMI and the first image's attention rows.

    Args:
        vit (AttnViT): The model, in eval mode.
        inputs (torch.Tensor): Normalised images (B, 3, H, W).
        batch_size (int): Images per forward.
        maps (Dict[int, Sequence[int]]): 0-based block -> query tokens whose
            head-averaged attention of the first image is returned.

    Returns:
        Tuple[List[float], dict]: One NMI per layer; (block, query) ->
        attention over all tokens, (N, ).
    """
    blocks = range(vit.num_layers)
    per_layer = [[] for _ in blocks]
    rows = {}
    for start in range(0, len(inputs), batch_size):
        # One layer's logits at a time.
        for block, layer_logits in vit.iter_attention(
                inputs[start:start + batch_size], blocks):
            attention = layer_logits.softmax(dim=-1)
            per_layer[block].append(
                attention_nmi(attention, vit.num_extra_tokens))
            if start == 0:
                for query in maps.get(block, ()):
                    rows[block, query] = attention[0, :, query].mean(dim=0)
    # (images, heads) per layer: mean over images, then over heads.
    layer_nmi = [
        torch.cat(values).mean(dim=0).mean().item() for values in per_layer
    ]
    return layer_nmi, rows


def overlay(image: np.ndarray, attention: torch.Tensor, grid: Tuple[int,
                                                                    int],
            num_extra: int, query: int) -> np.ndarray:
    """Attention over the patch grid, upsampled and blended on ``image``.

    Small images are enlarged (nearest) to at least ``MIN_MAP_SIZE``.
    """
    heat = attention[num_extra:].reshape(grid).numpy()
    heat = (heat - heat.min()) / max(float(heat.max() - heat.min()), 1e-12)
    scale = max(1, -(-MIN_MAP_SIZE // max(image.shape[:2])))
    image = cv2.resize(
        image, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
    height, width = image.shape[:2]
    heat = cv2.resize(
        np.uint8(heat * 255), (width, height),
        interpolation=cv2.INTER_NEAREST)
    blended = cv2.addWeighted(image, 0.5,
                              cv2.applyColorMap(heat, cv2.COLORMAP_JET), 0.5,
                              0)
    if query >= num_extra:
        row, col = divmod(query - num_extra, grid[1])
        cell_h, cell_w = height / grid[0], width / grid[1]
        cv2.rectangle(blended, (int(col * cell_w), int(row * cell_h)),
                      (int((col + 1) * cell_w) - 1,
                       int((row + 1) * cell_h) - 1), (255, 255, 255), 1)
    return blended


def map_settings(vit: AttnViT, layers: Optional[Sequence[int]],
                 queries: Optional[Sequence[int]],
                 name: str) -> Tuple[List[int], List[int]]:
    """Validated 1-based layers (None: chosen later) and query tokens."""
    grid_h, grid_w = vit.patch_resolution
    num_tokens = vit.num_extra_tokens + grid_h * grid_w
    if queries is None:
        queries = [vit.num_extra_tokens + (grid_h // 2) * grid_w + grid_w // 2]
    for query in queries:
        if not 0 <= query < num_tokens:
            raise ValueError(f'{name}: query {query} is not a token index '
                             f'(0..{num_tokens - 1})')
    for layer in layers or ():
        if not 1 <= layer <= vit.num_layers:
            raise ValueError(f'{name}: layer {layer} is not in '
                             f'1..{vit.num_layers}')
    return layers, list(queries)


def plot(results: Dict[str, List[float]], target: float, path: str) -> None:
    """Line plot of NMI against layer, one line per model."""
    figure = Figure(figsize=(6, 4))
    axes = figure.add_subplot()
    for name, values in results.items():
        axes.plot(range(1, len(values) + 1), values, marker='o', label=name)
    axes.axhline(
        target, color='gray', linestyle='--', label=f'target {target}')
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel('layer')
    axes.set_ylabel('attention NMI')
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def run(args: argparse.Namespace) -> None:
    """Analyse every model and write the outputs."""
    models = [(args.config, args.checkpoint)] + [tuple(m) for m in args.model]
    names = model_names([config for config, _ in models], args.names)
    prefixes = per_model(args.prefix or [None], len(models), '--prefix')
    key_maps = per_model(args.key_map, len(models), '--key-map')
    os.makedirs(args.out_dir, exist_ok=True)
    nmi, chosen = {}, {}
    for name, (config, checkpoint), prefix, key_map in zip(
            names, models, prefixes, key_maps):
        print(f'{name}: {config} + {checkpoint}')
        cfg = Config.fromfile(config)
        vit = build_vit(cfg, args.img_size)
        try:
            load_weights(vit, checkpoint, prefix, key_map)
        except KeyError as error:
            sys.exit(f'attention_nmi: error: {error.args[0]}')
        vit.eval()
        layers, queries = map_settings(vit, args.layers, args.queries, name)
        images = read_images(args.image_dir, args.num_images,
                             vit.img_size)
        inputs = to_tensor(images, *normalisation(cfg))
        # Without --layers the map layers depend on the NMI; every block's
        # rows are kept in that case (N values per query and block).
        map_blocks = range(vit.num_layers) if layers is None else \
            [layer - 1 for layer in layers]
        layer_nmi, rows = analyse(vit, inputs, args.batch_size,
                                  {block: queries
                                   for block in map_blocks})
        nmi[name] = layer_nmi
        chosen[name] = closest_layer(layer_nmi, args.target) + 1
        print('  NMI: ' + ', '.join(f'{i}: {v:.4f}'
                                    for i, v in enumerate(layer_nmi, 1)))
        print(f'  closest to {args.target}: layer {chosen[name]}')
        if layers is None:
            layers = sorted({
                1, (vit.num_layers + 1) // 2, vit.num_layers, chosen[name]
            })
        stem = re.sub(r'[^\w.-]', '_', name)
        for layer in layers:
            for query in queries:
                cv2.imwrite(
                    osp.join(args.out_dir,
                             f'attn_{stem}_layer{layer}_query{query}.png'),
                    overlay(images[0], rows[layer - 1, query],
                            vit.patch_resolution, vit.num_extra_tokens,
                            query))
    with open(osp.join(args.out_dir, 'nmi.json'), 'w') as file:
        json.dump(
            dict(
                nmi=nmi,
                closest_layer=chosen,
                target=args.target,
                num_images=len(images)),
            file,
            indent=2)
    plot(nmi, args.target, osp.join(args.out_dir, 'nmi.png'))
    print(f'wrote {args.out_dir}/nmi.json, nmi.png and attention maps')


if __name__ == '__main__':
    run(parse_args())
