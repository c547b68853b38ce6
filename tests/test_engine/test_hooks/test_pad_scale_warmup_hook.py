# Copyright (c) mmir contributors. All rights reserved.
import copy
from types import SimpleNamespace

import pytest
import torch
from mmengine.optim import OptimWrapper, OptimWrapperDict

from mmir.engine.hooks import PADScaleWarmupHook
from mmir.models import AdapterViT

ARCH = dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64)
MAX_ITERS = 10
START = 6  # ceil(0.6 * MAX_ITERS): the first iteration the scales train


def make_model(scale_init='zeros', seed=0):
    torch.manual_seed(seed)
    model = AdapterViT(arch=ARCH, img_size=32, patch_size=8)
    model.init_weights()
    if scale_init == 'random':  # e.g. scales loaded from a checkpoint
        for adapter in model.adapters():
            torch.nn.init.normal_(adapter.scale_pred, std=0.1)
    return model


def scale_params(model):
    return [a.scale_pred for a in model.adapters()]


def make_optim_wrapper(model, kind='single'):
    """AdamW as PAD's (betas 0.9/0.95, wd 0.05), one or two of them."""

    def adamw(params):
        return OptimWrapper(
            torch.optim.AdamW(
                params, lr=1e-2, betas=(0.9, 0.95), weight_decay=0.05))

    if kind == 'single':
        return adamw(model.parameters())
    scales = {id(p) for p in scale_params(model)}
    return OptimWrapperDict(
        scales=adamw(scale_params(model)),
        others=adamw([p for p in model.parameters() if id(p) not in scales]))


def optimizers(optim_wrapper):
    if isinstance(optim_wrapper, OptimWrapperDict):
        return [w.optimizer for _, w in optim_wrapper.items()]
    return [optim_wrapper.optimizer]


def update(model, optim_wrapper, it):
    """One training step on the data (and dropout) of iteration ``it``."""
    torch.manual_seed(100 + it)
    model(torch.randn(2, 3, 32, 32))[0].pow(2).mean().backward()
    wrappers = [w for _, w in optim_wrapper.items()] if isinstance(
        optim_wrapper, OptimWrapperDict) else [optim_wrapper]
    for wrapper in wrappers:
        wrapper.step()
        wrapper.zero_grad()


def make_runner(model, optim_wrapper, it=0):
    return SimpleNamespace(
        model=model, iter=it, max_iters=MAX_ITERS, optim_wrapper=optim_wrapper)


def hook_step(runner, hook):
    hook.before_train_iter(runner, runner.iter)
    update(runner.model, runner.optim_wrapper, runner.iter)
    runner.iter += 1


def pad_reference(stop, scale_init='zeros', kind='single'):
    """PAD's way: ``requires_grad=False`` after building the optimizer,
    back to True from iteration ``START``."""
    model = make_model(scale_init)
    optim_wrapper = make_optim_wrapper(model, kind)
    for it in range(stop):
        for param in scale_params(model):
            param.requires_grad_(it >= START)
        update(model, optim_wrapper, it)
    return model, optim_wrapper


def no_state(param, optim_wrapper):
    # `param in state`, not `state[param]`: the state is a defaultdict
    return all(param not in opt.state for opt in optimizers(optim_wrapper))


@pytest.mark.parametrize('kind', ['single', 'dict'])
@pytest.mark.parametrize('scale_init', ['zeros', 'random'])
def test_updates_equal_pads_requires_grad_freezing(scale_init, kind):
    model = make_model(scale_init)
    optim_wrapper = make_optim_wrapper(model, kind)
    runner = make_runner(model, optim_wrapper)
    hook = PADScaleWarmupHook(start_ratio=0.6)
    hook.before_train(runner)
    ref = make_model(scale_init)
    ref_wrapper = make_optim_wrapper(ref, kind)
    init = [p.detach().clone() for p in scale_params(model)]
    trained_steps = 0
    for it in range(MAX_ITERS):
        hook_step(runner, hook)
        for param in scale_params(ref):
            param.requires_grad_(it >= START)
        update(ref, ref_wrapper, it)
        assert hook.frozen == (it < START)
        for param, ref_param, value in zip(
                scale_params(model), scale_params(ref), init):
            if it < START:
                # no AdamW state, no weight decay: exactly the initial value
                assert no_state(param, optim_wrapper)
                assert no_state(ref_param, ref_wrapper)
                torch.testing.assert_close(param, value, rtol=0, atol=0)
            else:
                state = optimizers(optim_wrapper)[0].state[param]
                assert state['step'].item() == it - START + 1
        trained_steps += it >= START
        for (name, param), ref_param in zip(model.named_parameters(),
                                            ref.parameters()):
            torch.testing.assert_close(
                param, ref_param, rtol=1e-6, atol=1e-8, msg=name)
    assert trained_steps == MAX_ITERS - START
    # the comparison after the switch is not vacuous: the scales moved
    assert all(not torch.equal(p, v)
               for p, v in zip(scale_params(model), init))

    hook.after_train(runner)
    # both gates are gone: a "frozen" hook no longer holds the scales
    before = [p.detach().clone() for p in scale_params(model)]
    hook.frozen = True
    update(model, optim_wrapper, MAX_ITERS)
    assert all(not torch.equal(p, v)
               for p, v in zip(scale_params(model), before))


@pytest.mark.parametrize('interrupt_at', [3, 8], ids=['frozen', 'trained'])
def test_resume_equals_an_uninterrupted_run(interrupt_at):
    straight = make_model()
    straight_runner = make_runner(straight, make_optim_wrapper(straight))
    hook = PADScaleWarmupHook()
    hook.before_train(straight_runner)
    while straight_runner.iter < MAX_ITERS:
        hook_step(straight_runner, hook)
    hook.after_train(straight_runner)

    model = make_model()
    runner = make_runner(model, make_optim_wrapper(model))
    hook = PADScaleWarmupHook()
    hook.before_train(runner)
    while runner.iter < interrupt_at:
        hook_step(runner, hook)
    hook.after_train(runner)
    checkpoint = copy.deepcopy(
        dict(
            model=model.state_dict(),
            optimizer=runner.optim_wrapper.state_dict()))

    resumed = make_model(seed=1)  # fresh objects, other initial weights
    optim_wrapper = make_optim_wrapper(resumed)
    resumed.load_state_dict(checkpoint['model'])
    optim_wrapper.load_state_dict(checkpoint['optimizer'])
    runner = make_runner(resumed, optim_wrapper, interrupt_at)
    hook = PADScaleWarmupHook()
    hook.before_train(runner)
    assert hook.frozen == (interrupt_at < START)
    executed = 0
    while runner.iter < MAX_ITERS:
        hook_step(runner, hook)
        executed += 1
    hook.after_train(runner)
    assert executed == MAX_ITERS - interrupt_at

    reference, _ = pad_reference(MAX_ITERS)
    for (name, param), straight_param, ref_param in zip(
            resumed.named_parameters(), straight.parameters(),
            reference.parameters()):
        torch.testing.assert_close(
            param, straight_param, rtol=0, atol=0, msg=name)
        torch.testing.assert_close(
            param, ref_param, rtol=1e-6, atol=1e-8, msg=name)


@pytest.mark.parametrize('resume_at', [0, 3, 7])
def test_scales_stay_at_half_until_60_percent(resume_at):
    model = make_model()
    runner = make_runner(model, make_optim_wrapper(model), resume_at)
    hook = PADScaleWarmupHook(start_ratio=0.6)
    hook.before_train(runner)
    assert hook.frozen == (resume_at < START)
    frozen, trained = [], []
    while runner.iter < MAX_ITERS:
        it = runner.iter
        hook_step(runner, hook)
        (frozen if hook.frozen else trained).append(it)
        if hook.frozen:
            assert all(torch.all(s == 0) for s in scale_params(model))
    assert frozen == list(range(resume_at, START))
    assert trained == list(range(max(resume_at, START), MAX_ITERS))
    # at least two trained steps: the first makes the adapter output
    # non-zero, which the scale gradient needs (the up-projection starts
    # at zero)
    assert len(trained) >= 3
    assert any(s.abs().sum() > 0 for s in scale_params(model))
    up = model.adapters()[0].up.weight
    assert up.abs().sum() > 0, 'adapters train in both phases'
    hook.after_train(runner)


def test_needs_a_patchwise_adapter_and_an_optimizer():
    from mmir.models import AttnViT
    model = AttnViT(arch=ARCH, img_size=32, patch_size=8)
    runner = make_runner(model, make_optim_wrapper(model))
    with pytest.raises(RuntimeError, match='no patchwise'):
        PADScaleWarmupHook().before_train(runner)
    with pytest.raises(ValueError):
        PADScaleWarmupHook(start_ratio=1.5)
    model = make_model()
    runner = make_runner(model, dict(type='OptimWrapper'))
    with pytest.raises(TypeError, match='OptimWrapper'):
        PADScaleWarmupHook().before_train(runner)
