# Copyright (c) mmir contributors. All rights reserved.
"""Time training steps and measure their memory, one run per subprocess.

The machinery of the step benchmarks in ``tools/benchmarks/``: a script
adds the common options (:func:`parse_args`), checks its variants, and
calls :func:`run_table`, which runs the script again as a worker for every
(variant, precision, device) in a fresh interpreter so that memory figures
do not mix.  The worker builds its model and optimizer, times
``warmup + iters`` steps with :func:`time_steps` and prints the result
after :data:`RESULT_TAG` (:func:`report`).

Memory, as printed in the tables:

* peak: ``torch.cuda.max_memory_allocated`` on GPU, and on CPU the
  process's peak resident set size (``VmHWM``, reset through
  ``/proc/self/clear_refs``); both measured from after the model and
  optimizer are built, over the warm-up and timed steps.
* step: that peak minus the memory in use before the first step (weights,
  inputs, libraries), i.e. activations, gradients, optimizer state (created
  at the first step) and allocator slack.

Numbers are printed, never checked.
"""
import argparse
import json
import os
import subprocess
import sys
import time
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import torch

RESULT_TAG = 'RESULT '
PRECISIONS = ('fp32', 'bf16')
MEMORY = {'cpu': 'peak RSS', 'cuda': 'max allocated'}
GIB = 2**30


def benchmark_parser(description: str) -> argparse.ArgumentParser:
    """The options every step benchmark has.

    ``--batch-size``, ``--iters``, ``--warmup``, ``--devices``,
    ``--precisions``, ``--seed``, and the hidden ``--worker VARIANT
    PRECISION DEVICE`` used by :func:`run_table`; a script adds its own.

    Args:
        description (str): The script's docstring.

    Returns:
        argparse.ArgumentParser: The parser.
    """
    parser = argparse.ArgumentParser(
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter)
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
    return parser


def parse_args(description: str, tiny_help: str) -> argparse.Namespace:
    """The options of :func:`benchmark_parser` and ``--tiny`` (the
    script's small model).

    Args:
        description (str): The script's docstring.
        tiny_help (str): What ``--tiny`` runs.

    Returns:
        argparse.Namespace: The options.
    """
    parser = benchmark_parser(description)
    parser.add_argument('--tiny', action='store_true', help=tiny_help)
    return parser.parse_args()


def describe_run(args: argparse.Namespace) -> str:
    """Batch, steps and environment, for the first line of a report.

    Args:
        args (argparse.Namespace): Options from :func:`parse_args`.

    Returns:
        str: e.g. ``'batch 2, 1 warm-up + 3 timed steps, torch 2.5.1, ...'``.
    """
    return (f'batch {args.batch_size}, {args.warmup} warm-up + '
            f'{args.iters} timed steps, torch {torch.__version__}, '
            f'{torch.get_num_threads()} CPU threads, load average '
            f'{os.getloadavg()[0]:.2f} (other processes skew CPU timings)')


def proc_status_kib(field: str) -> int:
    """A ``VmRSS``-style field of /proc/self/status, in KiB.

    Args:
        field (str): The field name, e.g. ``'VmHWM'``.

    Returns:
        int: Its value in KiB.
    """
    with open('/proc/self/status') as file:
        for line in file:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    raise KeyError(f'{field} not in /proc/self/status')


def reset_peak_rss() -> None:
    """Reset ``VmHWM`` to the current RSS (Linux ``clear_refs`` 5)."""
    with open('/proc/self/clear_refs', 'w') as file:
        file.write('5')


def training_step(loss_fn: Callable[[], torch.Tensor],
                  optimizer: torch.optim.Optimizer, device: str,
                  precision: str) -> Callable[[], None]:
    """One step: loss (bf16 autocast if asked), backward, update.

    Args:
        loss_fn (Callable[[], torch.Tensor]): Computes the loss.
        optimizer (torch.optim.Optimizer): Updates the parameters; the
            gradients are then set to None.
        device (str): ``'cpu'`` or ``'cuda'``, for autocast.
        precision (str): ``'fp32'`` or ``'bf16'``.

    Returns:
        Callable[[], None]: The step.
    """

    def step() -> None:
        with torch.autocast(
                device, dtype=torch.bfloat16, enabled=precision == 'bf16'):
            loss = loss_fn()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    return step


def time_steps(step: Callable[[], None], device: str, warmup: int,
               iters: int, batch_size: int) -> Dict[str, float]:
    """Run ``warmup`` then ``iters`` timed steps; speed and memory.

    Call it right after the model, optimizer and inputs are built: memory
    in use now is the base of the "step" figure (see the module docstring).

    Args:
        step (Callable[[], None]): One training step.
        device (str): ``'cpu'`` or ``'cuda'``.
        warmup (int): Untimed steps first.
        iters (int): Timed steps.
        batch_size (int): Images per step.

    Returns:
        Dict[str, float]: ``images_per_s``, ``peak_gib`` and ``step_gib``.
    """
    if device == 'cuda':
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
    else:
        base = proc_status_kib('VmRSS') * 1024
        reset_peak_rss()
    for _ in range(warmup):
        step()
    if device == 'cuda':
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(iters):
        step()
    if device == 'cuda':
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    peak = torch.cuda.max_memory_allocated() if device == 'cuda' else \
        proc_status_kib('VmHWM') * 1024
    return dict(
        images_per_s=iters * batch_size / seconds,
        peak_gib=peak / GIB,
        step_gib=(peak - base) / GIB)


def report(result: Dict[str, float]) -> None:
    """Print a worker's result for :func:`run_worker`.

    Args:
        result (Dict[str, float]): What :func:`time_steps` returned.
    """
    print(RESULT_TAG + json.dumps(result))


def run_worker(script: str, args_list: List[str],
               label: str) -> Optional[dict]:
    """Run ``python script *args_list`` and read its :func:`report`.

    Args:
        script (str): Path of the benchmark script.
        args_list (List[str]): Its command-line arguments.
        label (str): Names the run in the failure message.

    Returns:
        dict, optional: The result, or None (after printing the end of
        the worker's stderr) if it failed.
    """
    proc = subprocess.run([sys.executable, script, *args_list],
                          capture_output=True,
                          text=True)
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_TAG):
            return json.loads(line[len(RESULT_TAG):])
    print(f'{label} failed ({proc.returncode}):\n{proc.stderr[-3000:]}')
    return None


Results = Dict[Tuple[str, str, str], Optional[Dict[str, float]]]


def run_table(script: str, args: argparse.Namespace,
              variants: Sequence[str], options: Sequence[str]) -> Results:
    """Time every (variant, precision, device) and print the table.

    Each combination runs ``script`` with ``--worker VARIANT PRECISION
    DEVICE`` in its own process; the rows are printed as they come.

    Args:
        script (str): Path of the benchmark script.
        args (argparse.Namespace): Options from :func:`benchmark_parser`.
            ``devices`` defaults to cpu, and cuda when available.
        variants (Sequence[str]): The variants, in table order.
        options (Sequence[str]): The script's own worker options (e.g.
            ``['--tiny']``).

    Returns:
        Results: ``(variant, precision, device)`` -> the result of
        :func:`time_steps`, None where the run failed.
    """
    devices = args.devices or (['cpu', 'cuda']
                               if torch.cuda.is_available() else ['cpu'])
    common = [
        '--batch-size',
        str(args.batch_size), '--iters',
        str(args.iters), '--warmup',
        str(args.warmup), '--seed',
        str(args.seed), *options
    ]
    width = max(8, max(len(v) for v in variants) + 2)
    print(f'{"variant":<{width}}{"precision":<10}{"device":<7}'
          f'{"images/s":>10}{"peak GiB":>10}{"step GiB":>10}  memory')
    results: Results = {}
    for device in devices:
        for precision in args.precisions:
            for variant in variants:
                result = run_worker(
                    script, common + ['--worker', variant, precision, device],
                    f'{variant} {precision} {device}')
                results[(variant, precision, device)] = result
                if result is None:
                    continue
                print(f'{variant:<{width}}{precision:<10}{device:<7}'
                      f'{result["images_per_s"]:>10.2f}'
                      f'{result["peak_gib"]:>10.3f}'
                      f'{result["step_gib"]:>10.3f}  {MEMORY[device]}',
                      flush=True)
    return results


def benchmark_main(args: argparse.Namespace,
                   script: str,
                   title: str,
                   variants: Sequence[str],
                   check: Callable[[argparse.Namespace], None],
                   time_variant: Callable[..., Dict[str, float]],
                   options: Optional[Sequence[str]] = None,
                   summarise: Optional[Callable[[Results], None]] = None
                   ) -> None:
    """A benchmark script's ``main``: a worker times one combination; the
    parent checks the variants agree, then times them all.

    Args:
        args (argparse.Namespace): Options from :func:`benchmark_parser`
            (with the script's own; ``tiny`` when it has one).
        script (str): Path of the benchmark script.
        title (str): What is timed, for the first line.
        variants (Sequence[str]): The variants, in table order.
        check (Callable): Exits if the variants disagree.
        time_variant (Callable): ``(args, variant, precision, device)`` ->
            the result of :func:`time_steps`.
        options (Sequence[str], optional): The script's own worker options.
            Defaults to ``['--tiny']`` when ``args.tiny`` is set, else none.
        summarise (Callable, optional): Prints what follows from the
            table (ratios, breakdowns), before a failed run ends the
            script. Defaults to None.
    """
    if args.worker:
        report(time_variant(args, *args.worker))
        return
    print(f'{title}, {describe_run(args)}')
    check(args)
    if options is None:
        options = ['--tiny'] if args.tiny else []
    results = run_table(script, args, variants, options)
    if summarise is not None:
        summarise(results)
    if None in results.values():
        sys.exit(f'{os.path.basename(script)}: some runs failed')
