# Copyright (c) mmir contributors. All rights reserved.
"""Time one NMI-HAD training step: mmir's against an explicit reference.

The model is UNIP-S with an MAE-L teacher cut at layer 18, 224 px
(``configs/unip/unip-s_infmix.py``, random weights), or a tiny version
(``--tiny``).  Two implementations of the same step (loss, backward, AdamW):

* ``mmir``: ``NMIHAD.loss``.  The teacher runs blocks 1..l*-1 with the fused
  attention kernel and only q and k of block l*; the student computes only
  q and k of its last block.  Nothing the loss does not use is evaluated.
* ``naive``: a straightforward implementation.  Teacher and student run
  all their blocks (and the final norm) with explicit attention,
  ``softmax(q k^T / sqrt(d)) @ v`` materialised, and the logits of teacher
  block l* and student block 12 are kept for the same KL loss.

Before timing, both losses are compared on one batch with the same weights
(eval mode: no drop path); the run stops if they differ.  Each
(variant, precision, device) is then timed in a fresh subprocess so that
memory figures do not mix: peak memory is ``torch.cuda.max_memory_allocated``
on GPU and the process's peak resident set size (``VmHWM``, reset through
``/proc/self/clear_refs``) on CPU, both measured from after the model and
optimizer are built, over the warm-up and timed steps.  "step" is that peak
minus the memory in use before the first step (weights, inputs, libraries),
i.e. activations, gradients, AdamW state and allocator slack.  Numbers are
printed, never checked.
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import time
from typing import Callable, Dict, Optional, Tuple

import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.models.backbones.vision_transformer import \
    TransformerEncoderLayer

from mmir.models import AttnViT, NMIHAD
from mmir.models.utils import attention_kl_loss
from mmir.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs/unip/unip-s_infmix.py')
VARIANTS = ('mmir', 'naive')
PRECISIONS = ('fp32', 'bf16')
RESULT_TAG = 'RESULT '
GIB = 2**30
# Loss agreement required before timing (fp32, fused vs explicit softmax).
RTOL, ATOL = 1e-4, 1e-6


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        '--tiny',
        action='store_true',
        help='64-d 4-block student, 128-d 6-block teacher (l* = 4), 32 px')
    parser.add_argument('--batch-size', type=int, default=2)
    parser.add_argument('--iters', type=int, default=3, help='timed steps')
    parser.add_argument(
        '--warmup', type=int, default=1, help='untimed steps first')
    parser.add_argument(
        '--devices',
        nargs='+',
        choices=['cpu', 'cuda'],
        help='default: cpu, and cuda when available')
    parser.add_argument(
        '--precisions', nargs='+', choices=PRECISIONS, default=PRECISIONS)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--worker',
        nargs=3,
        metavar=('VARIANT', 'PRECISION', 'DEVICE'),
        help=argparse.SUPPRESS)
    return parser.parse_args()


def build_model(tiny: bool, seed: int) -> Tuple[NMIHAD, int]:
    """The NMI-HAD model of the UNIP-S config (or tiny), random weights.

    Returns:
        Tuple[NMIHAD, int]: The model and its input size.
    """
    cfg = Config.fromfile(CONFIG)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    model_cfg = cfg.model
    model_cfg.teacher_checkpoint = None
    if tiny:
        model_cfg.backbone.update(
            arch=dict(
                embed_dims=64,
                num_layers=4,
                num_heads=4,
                feedforward_channels=256),
            img_size=32,
            patch_size=8,
            last_heads=8)
        model_cfg.teacher.update(
            arch=dict(
                embed_dims=128,
                num_layers=6,
                num_heads=8,
                feedforward_channels=512),
            img_size=32,
            patch_size=8)
        model_cfg.teacher_layer = 4
    torch.manual_seed(seed)
    model = MODELS.build(model_cfg)
    model.init_weights()
    return model, model.backbone.img_size[0]


def explicit_block(layer: TransformerEncoderLayer,
                   x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """One ViT block with the attention matrix materialised.

    Returns:
        Tuple[torch.Tensor, torch.Tensor]: The block output and its
        pre-softmax attention logits (B, heads, N, N).
    """
    attn = layer.attn
    batch, tokens, _ = x.shape
    qkv = attn.qkv(layer.ln1(x)).reshape(batch, tokens, 3, attn.num_heads,
                                         attn.head_dims)
    q, k, v = qkv.permute(2, 0, 3, 1, 4)
    logits = (q * attn.head_dims**-0.5) @ k.transpose(-2, -1)
    weights = F.dropout(
        logits.softmax(dim=-1), attn.attn_drop, training=attn.training)
    out = (weights @ v).transpose(1, 2).reshape(batch, tokens,
                                                attn.embed_dims)
    x = x + attn.out_drop(attn.gamma1(attn.proj_drop(attn.proj(out))))
    return layer.ffn(layer.ln2(x), identity=x), logits


def explicit_forward(vit: AttnViT, images: torch.Tensor,
                     capture: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """Full ViT forward with explicit attention.

    Returns:
        Tuple[torch.Tensor, torch.Tensor]: The final tokens (after the final
        norm) and the logits of block ``capture`` (0-based).
    """
    x = vit.embed(images)
    for i, layer in enumerate(vit.layers):
        x, logits = explicit_block(layer, x)
        if i == capture:
            captured = logits
    return vit.ln1(x) if vit.final_norm else x, captured


def mmir_loss(model: NMIHAD, images: torch.Tensor) -> torch.Tensor:
    """The loss as mmir computes it."""
    return model.loss(images, [])['loss']


def naive_loss(model: NMIHAD, images: torch.Tensor) -> torch.Tensor:
    """The same loss from full explicit-attention forwards."""
    with torch.no_grad():
        _, target = explicit_forward(model.teacher, images,
                                     int(model.teacher_block))
    _, pred = explicit_forward(model.backbone, images,
                               model.backbone.num_layers - 1)
    return attention_kl_loss(target, pred, model.temperature)


LOSSES: Dict[str, Callable[[NMIHAD, torch.Tensor], torch.Tensor]] = dict(
    mmir=mmir_loss, naive=naive_loss)


def check_losses(args: argparse.Namespace) -> None:
    """Both variants must give the same fp32 loss; exit otherwise."""
    model, size = build_model(args.tiny, args.seed)
    model.eval()
    images = torch.randn(args.batch_size, 3, size, size)
    with torch.no_grad():
        mmir, naive = (LOSSES[name](model, images).item()
                       for name in VARIANTS)
    diff = abs(mmir - naive)
    ok = diff <= ATOL + RTOL * abs(naive)
    print(f'loss check (fp32, eval mode, same batch and weights): '
          f'mmir {mmir:.6f}, naive {naive:.6f}, |diff| {diff:.2e}: '
          f'{"OK" if ok else "MISMATCH"}')
    if not ok:
        sys.exit(f'nmi_had_step: the two implementations disagree '
                 f'(tolerance {RTOL} relative + {ATOL})')


def proc_status_kib(field: str) -> int:
    """A ``VmRSS``-style field of /proc/self/status, in KiB."""
    with open('/proc/self/status') as file:
        for line in file:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    raise KeyError(f'{field} not in /proc/self/status')


def reset_peak_rss() -> None:
    """Reset ``VmHWM`` to the current RSS (Linux ``clear_refs`` 5)."""
    with open('/proc/self/clear_refs', 'w') as file:
        file.write('5')


def time_variant(args: argparse.Namespace, variant: str, precision: str,
                 device: str) -> dict:
    """Images/s and memory of ``warmup + iters`` steps of one variant."""
    model, size = build_model(args.tiny, args.seed)
    model.to(device).train()
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad],
        lr=2.4e-3,
        betas=(0.9, 0.95),
        weight_decay=0.05)
    images = torch.randn(args.batch_size, 3, size, size, device=device)
    loss_fn = LOSSES[variant]
    if device == 'cuda':
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
    else:
        base = proc_status_kib('VmRSS') * 1024
        reset_peak_rss()

    def step() -> None:
        with torch.autocast(
                device, dtype=torch.bfloat16, enabled=precision == 'bf16'):
            loss = loss_fn(model, images)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    for _ in range(args.warmup):
        step()
    if device == 'cuda':
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(args.iters):
        step()
    if device == 'cuda':
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    peak = torch.cuda.max_memory_allocated() if device == 'cuda' else \
        proc_status_kib('VmHWM') * 1024
    return dict(
        images_per_s=args.iters * args.batch_size / seconds,
        peak_gib=peak / GIB,
        step_gib=(peak - base) / GIB)


def run_worker(args: argparse.Namespace, variant: str, precision: str,
               device: str) -> Optional[dict]:
    """Time one combination in a fresh interpreter; None if it failed."""
    command = [
        sys.executable,
        osp.abspath(__file__), '--batch-size',
        str(args.batch_size), '--iters',
        str(args.iters), '--warmup',
        str(args.warmup), '--seed',
        str(args.seed), '--worker', variant, precision, device
    ] + (['--tiny'] if args.tiny else [])
    proc = subprocess.run(command, capture_output=True, text=True)
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_TAG):
            return json.loads(line[len(RESULT_TAG):])
    print(f'{variant} {precision} {device} failed ({proc.returncode}):\n'
          f'{proc.stderr[-3000:]}')
    return None


def main() -> None:
    """Check the losses, then time every combination and print a table."""
    args = parse_args()
    if args.worker:
        print(RESULT_TAG + json.dumps(time_variant(args, *args.worker)))
        return
    devices = args.devices or (['cpu', 'cuda']
                               if torch.cuda.is_available() else ['cpu'])
    print(f'NMI-HAD step, {"tiny" if args.tiny else "UNIP-S / MAE-L l*=18"}'
          f', batch {args.batch_size}, {args.warmup} warm-up + '
          f'{args.iters} timed steps, torch {torch.__version__}, '
          f'{torch.get_num_threads()} CPU threads, load average '
          f'{os.getloadavg()[0]:.2f} (other processes skew CPU timings)')
    check_losses(args)
    memory = {'cpu': 'peak RSS', 'cuda': 'max allocated'}
    print(f'{"variant":<8}{"precision":<10}{"device":<7}{"images/s":>10}'
          f'{"peak GiB":>10}{"step GiB":>10}  memory')
    failed = False
    for device in devices:
        for precision in args.precisions:
            for variant in VARIANTS:
                result = run_worker(args, variant, precision, device)
                if result is None:
                    failed = True
                    continue
                print(f'{variant:<8}{precision:<10}{device:<7}'
                      f'{result["images_per_s"]:>10.2f}'
                      f'{result["peak_gib"]:>10.3f}'
                      f'{result["step_gib"]:>10.3f}  {memory[device]}',
                      flush=True)
    if failed:
        sys.exit('nmi_had_step: some runs failed')


if __name__ == '__main__':
    main()
