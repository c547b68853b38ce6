# Copyright (c) mmir contributors. All rights reserved.
"""teacher_layer='auto' chooses the same layer on every rank (2 gloo
processes fed different data)."""
import numpy as np
import pytest
import torch
import torch.distributed as torch_dist
import torch.multiprocessing as mp

from .test_nmi_had import build

WORLD = 2


def rank_images(rank: int) -> torch.Tensor:
    """Different data per rank: noise on rank 0, smooth ramps on rank 1."""
    generator = torch.Generator().manual_seed(rank)
    if rank == 0:
        return torch.randn(3, 3, 32, 32, generator=generator) * 2
    ramp = torch.linspace(-1, 1, 32).expand(32, 32)
    return ramp * torch.rand(3, 3, 1, 1, generator=generator)


def model_for(target: float):
    torch.manual_seed(0)
    return build(teacher_layer='auto', nmi_target=target, nmi_chunk=2)


def worker(rank: int, store: str, target: float, out: str) -> None:
    torch_dist.init_process_group(
        'gloo', init_method=f'file://{store}', rank=rank, world_size=WORLD)
    try:
        model = model_for(target)
        nmi = model.select_teacher_layer(rank_images(rank))
        torch.save(dict(nmi=nmi, block=int(model.teacher_block)),
                   f'{out}/rank{rank}.pth')
    finally:
        torch_dist.destroy_process_group()


def local_choice(images: torch.Tensor, target: float):
    model = model_for(target)
    nmi = model.select_teacher_layer(images)
    return nmi, int(model.teacher_block)


def test_auto_layer_is_chosen_from_all_ranks_data(tmp_path):
    nmi = [local_choice(rank_images(r), 0.0)[0] for r in range(WORLD)]
    # A target for which each rank alone would choose another layer.
    targets = [
        t for t in np.linspace(0, 1, 4001)
        if np.argmin(np.abs(np.subtract(nmi[0], t))) != np.argmin(
            np.abs(np.subtract(nmi[1], t)))
    ]
    assert targets, f'the ranks data should disagree somewhere: {nmi}'
    target = float(targets[len(targets) // 2])
    mp.spawn(
        worker,
        args=(str(tmp_path / 'store'), target, str(tmp_path)),
        nprocs=WORLD)
    ranks = [
        torch.load(tmp_path / f'rank{r}.pth', weights_only=True)
        for r in range(WORLD)
    ]
    both = torch.cat([rank_images(r) for r in range(WORLD)])
    expected_nmi, expected_block = local_choice(both, target)
    for result in ranks:
        assert result['block'] == expected_block
        assert result['nmi'] == pytest.approx(expected_nmi, rel=1e-9)
