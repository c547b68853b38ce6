# Copyright (c) mmir contributors. All rights reserved.
"""Time one CIM pre-training step and show where the time goes.

The models are those of ``configs/cim/`` with random weights (the
tokenizer's checkpoint is not loaded): ``--arch base`` is CIM at 224 px
(``--img-size``) with the 384-d 6-block BEiT generator and OpenAI's DALL-E
dVAE at full size (8192 tokens) on the 112 px view (14 x 14 tokens), and
three enhancers:

* ``respix-vit``: the BEiT-style ViT-B/16 with the per-patch ResPix head;
* ``revdet-vit``: the same ViT with the per-token RevDet head;
* ``respix-resnet50``: ResNet-50 with the SparK-decoder ResPix head (BN
  instead of the config's SyncBN).

``--variants`` picks some of them.  ``--arch demo`` is the CPU demo at
64 px: the two-block 64-d generator, the 128-d patch-8 ViT and the demo
VQ tokenizer (256 codes, 4 px per token, on the 32 px view); its
ResNet-50 has a quarter of the widths (stem and base 16 channels) and a
128-d decoder.

One step is the config's: ``CIM.loss`` on a batch of random images with
the config's block-wise masks, backward, AdamW (the config's lr, betas and
weight decay; no gradient clipping).  Before timing, each variant is
checked once on CPU in fp32, and the run stops unless: the tokens
(``CIM.tokenize``) and the corrupted image (``CIM.corrupted_image``) have
no ``grad_fn`` and are not inference tensors, no tokenizer parameter has
a gradient after the backward of a step, and the step split in phases
(below) gives ``CIM.loss``'s losses from the same seed.  With the DALL-E
tokenizer, its lookup decode (``DALLEDecoder.forward_token_ids``) must
also equal the decoder run on the one-hot token map.  The line
``tokenizer check: ok`` says they all held.

Each (variant, precision, device) is then timed in a fresh subprocess and
printed with its peak and step memory, as defined in
:mod:`mmir.utils.step_benchmark`.  The same worker then runs ``--iters``
more steps split in :data:`PHASES`, the device synchronised at the end of
each, calling ``CIM.loss``'s four steps (``golden_tokens``,
``generator_loss``, ``corrupt``, ``enhancer_loss``) one by one (only the
generator's logged accuracy is left out), and the parent prints a table
per precision and device: milliseconds per step and share of the phases'
sum for every variant, with the full step time of the timing table (no
synchronisation inside the step) under it.  Numbers are printed, never checked.
"""
import argparse
import logging
import os.path as osp
import sys
import time
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.config import Config, ConfigDict
from mmengine.logging import MMLogger
from mmengine.model import revert_sync_batchnorm
from mmengine.registry import init_default_scope
from mmpretrain.datasets.transforms import BEiTMaskGenerator
from mmpretrain.structures import DataSample

from mmir.models import CIM, DALLETokenizer
from mmir.registry import MODELS
from mmir.utils.step_benchmark import (Results, benchmark_main,
                                       benchmark_parser, time_steps,
                                       training_step)

SCRIPT = osp.abspath(__file__)
REPO = osp.dirname(osp.dirname(osp.dirname(SCRIPT)))
VARIANTS = ('respix-vit', 'revdet-vit', 'respix-resnet50')
CONFIGS = dict(
    base={
        'respix-vit':
        'cim-respix_vit-base-p16_8xb256-amp-coslr-300e_in1k.py',
        'revdet-vit':
        'cim-revdet_vit-base-p16_8xb256-amp-coslr-300e_in1k.py',
        'respix-resnet50':
        'cim-respix_resnet50_8xb256-amp-coslr-300e_in1k.py',
    },
    demo={
        'respix-vit':
        'cim-respix_vit-128d-p8_1xb16-400i_synthir-64px.py',
        'revdet-vit':
        'cim-revdet_vit-128d-p8_1xb16-400i_synthir-64px.py',
        'respix-resnet50':
        'cim-respix_vit-128d-p8_1xb16-400i_synthir-64px.py',
    })
# The demo's ResNet-50: a quarter of the widths, stages of 64 to 512.
DEMO_RESNET_WIDTH = 16
DEMO_RESNET_FEATURE_DIM = 128
# The ResNet enhancer's deepest stride: sizes must be multiples of it.
SIZE_MULTIPLE = 32
PHASES = ('tokenizer encode', 'generator + CE', 'sample + decode + resize',
          'enhancer + head loss', 'backward', 'optimizer step')
# Agreement required between the phased step and CIM.loss, and between
# the lookup decode and the one-hot decode (fp32).
RTOL, ATOL = 1e-5, 1e-6

Batch = Tuple[List[torch.Tensor], List[DataSample]]


def parse_args() -> argparse.Namespace:
    """The options of :func:`benchmark_parser` with ``--arch``,
    ``--img-size`` and ``--variants``."""
    parser = benchmark_parser(__doc__)
    parser.add_argument(
        '--arch',
        choices=sorted(CONFIGS),
        default='base',
        help='the ImageNet CIM models, or the demo ones for CPU runs')
    parser.add_argument(
        '--img-size',
        type=int,
        help='image side (the tokenizer sees half of it), a multiple of '
        f'{SIZE_MULTIPLE}; default: the config\'s (224 base, 64 demo)')
    parser.add_argument(
        '--variants',
        nargs='+',
        choices=VARIANTS,
        default=VARIANTS,
        help='the enhancers to time (default: all)')
    args = parser.parse_args()
    if args.img_size is not None and args.img_size % SIZE_MULTIPLE:
        parser.error(f'--img-size must be a multiple of {SIZE_MULTIPLE}')
    return args


def demo_resnet(model: ConfigDict) -> None:
    """Put the demo's ResNet-50 and its ResPix head in a demo config."""
    widths = tuple(DEMO_RESNET_WIDTH * 4 * 2**i for i in range(4))
    model.backbone = dict(
        type='mmpretrain.ResNet',
        depth=50,
        stem_channels=DEMO_RESNET_WIDTH,
        base_channels=DEMO_RESNET_WIDTH,
        out_indices=(0, 1, 2, 3))
    model.head = dict(
        type='mmir.ResPixConvHead',
        in_channels=widths,
        feature_dim=DEMO_RESNET_FEATURE_DIM,
        loss=model.head.loss)


def load_config(arch: str,
                variant: str,
                img_size: Optional[int] = None) -> Config:
    """The variant's config, ready to build with random weights.

    Args:
        arch (str): ``'base'`` or ``'demo'``.
        variant (str): One of :data:`VARIANTS`.
        img_size (int, optional): Overrides the image side of the ViTs.
            Defaults to None (the config's).

    Returns:
        Config: The config, its tokenizer without checkpoint.
    """
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', 'cim', CONFIGS[arch][variant]))
    if arch == 'demo' and variant == 'respix-resnet50':
        demo_resnet(cfg.model)
    cfg.model.tokenizer.init_cfg = None
    if img_size is not None:
        for part in ('backbone', 'generator'):
            if 'img_size' in cfg.model[part]:
                cfg.model[part].img_size = img_size
    return cfg


def build_model(cfg: Config, seed: int) -> CIM:
    """The config's ``CIM`` with random weights, on CPU, in train mode,
    its ``SyncBN`` layers made plain BN (one process has no process
    group)."""
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    torch.manual_seed(seed)
    model = revert_sync_batchnorm(MODELS.build(cfg.model))
    # init_weights logs every parameter at INFO level.
    MMLogger.get_current_instance().setLevel(logging.WARNING)
    model.init_weights()
    return model.train()


def mask_generator(cfg: Config,
                   grid: Tuple[int, int]) -> BEiTMaskGenerator:
    """The config's block-wise masking for the model's token grid (the
    config's count scaled to the grid's area when the size differs)."""
    kwargs = next({
        key: value
        for key, value in step.items() if key != 'type'
    } for step in cfg.train_pipeline if step['type'] == 'BEiTMaskGenerator')
    config_area = int(np.prod(kwargs['input_size']))
    area = grid[0] * grid[1]
    if area != config_area:
        count = round(kwargs['num_masking_patches'] * area / config_area)
        kwargs.update(
            num_masking_patches=count,
            min_num_patches=min(kwargs['min_num_patches'], count))
    return BEiTMaskGenerator(**dict(kwargs, input_size=tuple(grid)))


def make_batch(model: CIM, cfg: Config, batch_size: int, seed: int,
               device: str) -> Batch:
    """Random images as the data preprocessor gives the two views, and
    the config's masks, reproducible from ``seed``.

    Returns:
        Batch: ``[first view normalised, tokenizer view in [0, 1]]`` and
        the data samples carrying the masks.
    """
    generator = torch.Generator().manual_seed(seed)
    size = model.input_size
    raw = torch.rand(batch_size, 3, *size, generator=generator) * 255
    preprocessor = model.data_preprocessor
    mean, std = (stat.cpu().view(1, -1, 1, 1)
                 for stat in (preprocessor.mean, preprocessor.std))
    view = F.interpolate(
        raw, size=(size[0] // 2, size[1] // 2), mode='area') / 255
    masks = mask_generator(cfg, model.token_grid)
    np.random.seed(seed)
    samples = []
    for _ in range(batch_size):
        sample = DataSample()
        sample.set_mask(
            torch.from_numpy(masks.transform({})['mask']).bool().to(device))
        samples.append(sample)
    return [((raw - mean) / std).to(device), view.to(device)], samples


def total_loss(model: CIM, batch: Batch) -> torch.Tensor:
    """The sum of ``CIM.loss``'s losses."""
    losses = model.loss(*batch)
    return losses['loss_gen'] + losses['loss_enh']


class PhaseTimer:
    """Wall time between marks, the device synchronised at each.

    Args:
        device (str): ``'cpu'`` or ``'cuda'``.
    """

    def __init__(self, device: str) -> None:
        self.device = device
        self.seconds = dict.fromkeys(PHASES, 0.)
        self.last = 0.

    def _now(self) -> float:
        if self.device == 'cuda':
            torch.cuda.synchronize()
        return time.perf_counter()

    def start(self) -> None:
        """Start a step."""
        self.last = self._now()

    def mark(self, phase: str) -> None:
        """Add the time since the previous mark to ``phase``."""
        now = self._now()
        self.seconds[phase] += now - self.last
        self.last = now


def phased_loss(model: CIM, batch: Batch,
                mark: Callable[[str], None]) -> Dict[str, torch.Tensor]:
    """``CIM.loss`` through its four steps, with ``mark(phase)`` called
    at the end of each (the first four :data:`PHASES`).

    Args:
        model (CIM): The model.
        batch (Batch): The two views and the data samples with the masks.
        mark (Callable[[str], None]): Called with each phase's name.

    Returns:
        Dict[str, torch.Tensor]: ``loss_gen`` and ``loss_enh`` (weighted).
    """
    (img, view), data_samples = batch
    mask = torch.stack([s.mask for s in data_samples]).bool()
    golden = model.golden_tokens(view, mask)
    mark(PHASES[0])
    loss_gen, logits = model.generator_loss(img, mask, golden)
    mark(PHASES[1])
    corrupted_ids, corrupted = model.corrupt(golden, mask, logits,
                                             img.shape[2:])
    mark(PHASES[2])
    losses = model.enhancer_loss(img, corrupted, golden, corrupted_ids)
    mark(PHASES[3])
    return dict(loss_gen=loss_gen, loss_enh=losses['loss_enh'])


def without_autograd(tensor: torch.Tensor) -> bool:
    """No ``grad_fn``, no ``requires_grad``, not an inference tensor."""
    return (tensor.grad_fn is None and not tensor.requires_grad
            and not torch.is_inference(tensor))


def one_hot_decode_diff(tokenizer: DALLETokenizer,
                        token_ids: torch.Tensor) -> float:
    """Max |difference| between the decoder's lookup decode and its run
    on the one-hot map of ``token_ids``."""
    decoder = tokenizer.decoder
    with torch.no_grad():
        lookup = decoder.forward_token_ids(token_ids)
        one_hot = F.one_hot(token_ids, decoder.vocab_size).permute(0, 3, 1, 2)
        dense = decoder(one_hot.float())
    return (lookup - dense).abs().max().item()


def check_variant(args: argparse.Namespace,
                  variant: str) -> Tuple[List[str], Optional[float]]:
    """One fp32 CPU step of a variant.

    Returns:
        Tuple[List[str], float, optional]: What failed (empty when
        nothing did) and, with the DALL-E tokenizer, the max |difference|
        between its lookup decode and the one-hot one.
    """
    cfg = load_config(args.arch, variant, args.img_size)
    model = build_model(cfg, args.seed)
    batch = make_batch(model, cfg, min(args.batch_size, 2), args.seed, 'cpu')
    failed = []
    token_ids = model.tokenize(batch[0][1])
    image = model.corrupted_image(token_ids, model.input_size)
    if not without_autograd(token_ids):
        failed.append('the tokens have a grad_fn or are inference tensors')
    if not without_autograd(image):
        failed.append('the corrupted image has a grad_fn or is an '
                      'inference tensor')
    torch.manual_seed(args.seed)
    losses = model.loss(*batch)
    (losses['loss_gen'] + losses['loss_enh']).backward()
    if any(p.grad is not None for p in model.tokenizer.parameters()):
        failed.append('a tokenizer parameter got a gradient')
    torch.manual_seed(args.seed)
    with torch.no_grad():
        phased = phased_loss(model, batch, lambda phase: None)
    if not all(
            torch.allclose(phased[key], losses[key].detach(), RTOL, ATOL)
            for key in phased):
        failed.append(f'the phased step gives {phased}, CIM.loss {losses}')
    if not isinstance(model.tokenizer, DALLETokenizer):
        return failed, None
    diff = one_hot_decode_diff(model.tokenizer, token_ids[:1])
    if diff > ATOL:
        failed.append(f'the lookup decode differs from the one-hot one by '
                      f'{diff:.1e}')
    return failed, diff


def check_tokenizer(args: argparse.Namespace) -> None:
    """Run :func:`check_variant` on the chosen variants; print the verdict
    and exit if anything failed."""
    failures, diffs = [], []
    for variant in args.variants:
        failed, diff = check_variant(args, variant)
        failures += [f'{variant}: {item}' for item in failed]
        if diff is not None:
            diffs.append(diff)
    if diffs:
        decode = ('lookup decode = decoder on the one-hot map, max |diff| '
                  f'{max(diffs):.1e}')
    else:
        decode = 'lookup decode check skipped (not a DALL-E tokenizer)'
    print(f'tokenizer check: {"FAILED" if failures else "ok"} (fp32 cpu; '
          f'{", ".join(args.variants)}: tokens and corrupted image without '
          'autograd state and not inference tensors, no tokenizer gradient '
          f'after backward, phased step = CIM.loss; {decode})')
    if failures:
        sys.exit('cim_step: ' + '; '.join(failures))


def time_phases(model: CIM, optimizer: torch.optim.Optimizer, batch: Batch,
                device: str, precision: str, iters: int) -> Dict[str, float]:
    """Milliseconds per step spent in each of :data:`PHASES`, mean of
    ``iters`` steps."""
    timer = PhaseTimer(device)
    for _ in range(iters):
        timer.start()
        with torch.autocast(
                device, dtype=torch.bfloat16, enabled=precision == 'bf16'):
            losses = phased_loss(model, batch, timer.mark)
        (losses['loss_gen'] + losses['loss_enh']).backward()
        timer.mark('backward')
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        timer.mark('optimizer step')
    return {
        phase: 1000 * seconds / iters
        for phase, seconds in timer.seconds.items()
    }


def time_variant(args: argparse.Namespace, variant: str, precision: str,
                 device: str) -> dict:
    """Images/s and memory of ``warmup + iters`` steps, then the phases
    of ``iters`` more (``phase_ms``)."""
    cfg = load_config(args.arch, variant, args.img_size)
    model = build_model(cfg, args.seed).to(device)
    settings = cfg.optim_wrapper.optimizer
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad],
        lr=settings.lr,
        betas=settings.betas,
        weight_decay=settings.weight_decay)
    batch = make_batch(model, cfg, args.batch_size, args.seed, device)
    step = training_step(lambda: total_loss(model, batch), optimizer, device,
                         precision)
    result = time_steps(step, device, args.warmup, args.iters,
                        args.batch_size)
    result['phase_ms'] = time_phases(model, optimizer, batch, device,
                                     precision, args.iters)
    return result


def print_breakdown(results: Results, variants: Sequence[str],
                    precision: str, device: str,
                    args: argparse.Namespace) -> None:
    """The phases of one precision and device, a column per variant,
    with their sum and the full step time of the timing table."""
    ran = [(v, results[(v, precision, device)]) for v in variants
           if results.get((v, precision, device))]
    if not ran:
        return
    print(f'where the time goes, {precision} {device} (ms per step and '
          f'share; mean of {args.iters} steps, synchronised after each '
          'phase):')
    print(f'{"phase":<26}' + ''.join(f'{v:>18}' for v, _ in ran))
    sums = [sum(r['phase_ms'].values()) for _, r in ran]
    for phase in PHASES:
        cells = ''.join(
            f'{r["phase_ms"][phase]:>11.1f}'
            f'{100 * r["phase_ms"][phase] / total:>6.1f}%'
            for (_, r), total in zip(ran, sums))
        print(f'{phase:<26}{cells}')
    print(f'{"sum of phases":<26}' + ''.join(f'{total:>11.1f}{"":>7}'
                                             for total in sums))
    print(f'{"full step (table)":<26}' + ''.join(
        f'{1000 * args.batch_size / r["images_per_s"]:>11.1f}{"":>7}'
        for _, r in ran))


def describe_step(args: argparse.Namespace) -> str:
    """Sizes, tokenizer and masking, for the first line of the report."""
    cfg = load_config(args.arch, args.variants[0], args.img_size)
    model = cfg.model
    size = model.generator.img_size
    grid = size // model.generator.patch_size
    masks = mask_generator(cfg, (grid, grid))
    return (f'{size} px, {model.tokenizer.type} tokenizer '
            f'({model.generator_head.num_embed} tokens, random weights) on '
            f'the {size // 2} px view, {grid} x {grid} tokens, '
            f'{masks.num_masking_patches} masked')


def main() -> None:
    """Check the tokenizer's isolation, time every combination, print the
    table and where the time goes."""
    args = parse_args()
    options = ['--arch', args.arch]
    if args.img_size is not None:
        options += ['--img-size', str(args.img_size)]

    def breakdowns(results: Results) -> None:
        for device in dict.fromkeys(device for _, _, device in results):
            for precision in args.precisions:
                print_breakdown(results, args.variants, precision, device,
                                args)

    title = f'CIM pre-training step ({args.arch})'
    if not args.worker:
        title += f', {describe_step(args)}'
    benchmark_main(args, SCRIPT, title, args.variants, check_tokenizer,
                   time_variant, options=options, summarise=breakdowns)


if __name__ == '__main__':
    main()
