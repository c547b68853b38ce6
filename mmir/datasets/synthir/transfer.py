# Copyright (c) mmir contributors. All rights reserved.
"""Data of the SynthIR transfer benchmark: many unlabelled, few labelled.

Two SynthIR trees with disjoint seeds under one root:

* ``pool/``: ``pool_images`` unlabelled frames for pre-training (its labels
  are written by the generator but never read), with the InfMix- and
  MSIP-style lists ``pool/lists/{infmix,msip}_synthir.txt``;
* ``labelled/``: the SODA layout of ``train + val + test`` labelled frames,
  dealt by a seeded permutation into the split files of
  ``labelled/soda/InfraredSemanticLabel/``: ``train_<budget>.txt`` for
  every label budget (nested: the first ``budget`` of the train split),
  ``val.txt`` for every choice, ``test.txt`` for the reported numbers.

Everything follows from the seeds, so the same protocol gives the same
bytes.
"""
import os
import os.path as osp
from dataclasses import dataclass
from typing import Dict, List, Tuple

import numpy as np

from ..converters.pretrain_common import convert_synthir
from .generate import generate_synthir

SODA_DIR = 'soda/InfraredSemanticLabel'


@dataclass(frozen=True)
class TransferProtocol:
    """Sizes and seeds of the benchmark's data.

    Attributes:
        pool_images (int): Unlabelled pre-training frames.
        pool_seed (int): Seed of the pool's scenes.
        labelled_seed (int): Seed of the labelled scenes and of their
            permutation into splits; must differ from ``pool_seed``.
        train (int): Labelled training frames; the largest budget.
        val (int): Validation frames.
        test (int): Test frames.
        budgets (Tuple[int, ...]): Label budgets, each at most ``train``.
        height (int): Frame height.
        width (int): Frame width.
    """

    pool_images: int = 2000
    pool_seed: int = 202
    labelled_seed: int = 101
    train: int = 64
    val: int = 64
    test: int = 256
    budgets: Tuple[int, ...] = (16, 64)
    height: int = 96
    width: int = 128

    def __post_init__(self) -> None:
        if self.pool_seed == self.labelled_seed:
            raise ValueError('the pool and the labelled frames need '
                             'different seeds')
        if not self.budgets or max(self.budgets) > self.train or min(
                self.budgets) < 1:
            raise ValueError(f'budgets must be in 1..{self.train}, got '
                             f'{self.budgets}')


def split_stems(protocol: TransferProtocol) -> Dict[str, List[str]]:
    """The labelled stems of every split, ``train_<budget>`` included.

    Args:
        protocol (TransferProtocol): The protocol.

    Returns:
        Dict[str, List[str]]: Split name -> stems, in permutation order.
    """
    total = protocol.train + protocol.val + protocol.test
    order = np.random.default_rng([protocol.labelled_seed,
                                   total]).permutation(total)
    stems = [f'{i:05d}' for i in order]
    train = stems[:protocol.train]
    splits = {f'train_{b}': train[:b] for b in protocol.budgets}
    splits['val'] = stems[protocol.train:protocol.train + protocol.val]
    splits['test'] = stems[protocol.train + protocol.val:]
    return splits


def _write_lines(path: str, lines: List[str]) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as file:
        file.write(''.join(f'{line}\n' for line in lines))


def make_transfer_data(root: str, protocol: TransferProtocol) -> dict:
    """Generate both trees, the split files and the pre-training lists.

    Args:
        root (str): Output folder.
        protocol (TransferProtocol): Sizes and seeds.

    Returns:
        dict: ``pool`` and ``labelled`` roots (the ``data_root`` of the
        pre-training and of the segmentation configs) and ``splits``
        (split name -> number of frames).
    """
    pool = osp.join(root, 'pool')
    labelled = osp.join(root, 'labelled')
    generate_synthir(
        pool,
        num_images=protocol.pool_images,
        height=protocol.height,
        width=protocol.width,
        seed=protocol.pool_seed,
        layouts=('soda', ))
    images = osp.join(SODA_DIR, 'JPEGImages')
    for name in ('infmix', 'msip'):
        convert_synthir(pool, f'lists/{name}_synthir.txt', images)
    generate_synthir(
        labelled,
        num_images=protocol.train + protocol.val + protocol.test,
        height=protocol.height,
        width=protocol.width,
        seed=protocol.labelled_seed,
        layouts=('soda', ))
    return dict(
        pool=pool,
        labelled=osp.join(labelled, SODA_DIR),
        splits=write_splits(osp.join(labelled, SODA_DIR), protocol))


def write_splits(split_dir: str, protocol: TransferProtocol) -> Dict[str, int]:
    """Write the split files of :func:`split_stems` (budgets change only
    which ``train_<budget>.txt`` files exist, never their content).

    Args:
        split_dir (str): The labelled tree's SODA folder.
        protocol (TransferProtocol): The protocol.

    Returns:
        Dict[str, int]: Split name -> number of frames.
    """
    splits = split_stems(protocol)
    for name, stems in splits.items():
        _write_lines(osp.join(split_dir, f'{name}.txt'), stems)
    return {name: len(stems) for name, stems in splits.items()}
