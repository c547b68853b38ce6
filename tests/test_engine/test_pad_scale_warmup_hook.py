# Copyright (c) mmir contributors. All rights reserved.
from types import SimpleNamespace

import pytest
import torch

from mmir.engine.hooks import PADScaleWarmupHook
from mmir.models import AdapterViT

ARCH = dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64)


def step(runner, hook, optimizer):
    hook.before_train_iter(runner, runner.iter)
    optimizer.zero_grad()
    runner.model(torch.randn(2, 3, 32, 32))[0].pow(2).sum().backward()
    optimizer.step()
    runner.iter += 1


def scales(model):
    return [a.scale_pred.detach().clone() for a in model.adapters()]


@pytest.mark.parametrize('resume_at', [0, 7])
def test_scales_stay_at_half_until_60_percent(resume_at):
    torch.manual_seed(0)
    model = AdapterViT(arch=ARCH, img_size=32, patch_size=8)
    model.init_weights()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2,
                                  weight_decay=0.05)
    runner = SimpleNamespace(model=model, iter=resume_at, max_iters=10)
    hook = PADScaleWarmupHook(start_ratio=0.6)
    hook.before_train(runner)
    assert hook.frozen == (resume_at < 6)
    while runner.iter < 6:
        step(runner, hook, optimizer)
        assert all(torch.all(s == 0) for s in scales(model))
    # two steps: the first makes the adapter output non-zero, which the
    # scale gradient needs (the up-projection starts at zero)
    step(runner, hook, optimizer)
    step(runner, hook, optimizer)
    assert not hook.frozen
    assert any(s.abs().sum() > 0 for s in scales(model))
    up = model.adapters()[0].up.weight
    assert up.abs().sum() > 0, 'adapters train in both phases'
    hook.after_train(runner)


def test_needs_a_patchwise_adapter():
    from mmir.models import AttnViT
    runner = SimpleNamespace(
        model=AttnViT(arch=ARCH, img_size=32, patch_size=8), iter=0,
        max_iters=10)
    with pytest.raises(RuntimeError, match='no patchwise'):
        PADScaleWarmupHook().before_train(runner)
    with pytest.raises(ValueError):
        PADScaleWarmupHook(start_ratio=1.5)
