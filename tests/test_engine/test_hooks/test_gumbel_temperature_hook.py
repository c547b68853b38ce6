# Copyright (c) mmir contributors. All rights reserved.
from types import SimpleNamespace

import pytest
import torch
import torch.nn as nn
from mmengine.model import BaseModel, MMDistributedDataParallel
from mmengine.registry import DefaultScope
from mmengine.runner import IterBasedTrainLoop, Runner

from mmir.engine.hooks import GumbelTemperatureHook
from mmir.models.prompts import RegionMaskGenerator


class Prompted(BaseModel):
    """A mask generator under ``mask_generator`` that records the
    temperature of every training step."""

    def __init__(self, **kwargs) -> None:
        super().__init__()
        self.mask_generator = RegionMaskGenerator(
            embed_dims=4, region_size=8, **kwargs)
        self.seen = []

    def forward(self, inputs, data_samples=None, mode='loss'):
        self.seen.append(self.mask_generator.tau.item())
        mask = self.mask_generator(torch.stack(inputs))
        return dict(loss=mask.mean())


def schedule(step, tau0=5.0, decay=0.98, floor=1e-2):
    """The expected temperature, as the float32 buffer stores it."""
    return torch.tensor(max(tau0 * decay**step, floor)).item()


def test_epoch_schedule_with_its_floor():
    model = Prompted()
    hook = GumbelTemperatureHook()
    runner = SimpleNamespace(model=model, epoch=0)
    hook.before_train(runner)
    taus = []
    for epoch in range(400):
        runner.epoch = epoch
        hook.before_train_epoch(runner)
        hook.before_train_iter(runner, 0)  # no effect by epoch
        taus.append(model.mask_generator.tau.item())
    assert taus == [schedule(epoch) for epoch in range(400)]
    assert taus[0] == 5.0 and taus[1] == schedule(1) < 5.0
    # 5 * 0.98 ** e falls below 1e-2 after epoch 307
    assert taus[307] > 1e-2 and taus[308:] == [schedule(400)] * 92
    assert taus[308] == pytest.approx(1e-2)


def test_value_depends_on_the_epoch_only():
    model = Prompted()
    hook = GumbelTemperatureHook(decay=0.9)
    runner = SimpleNamespace(model=model, epoch=50)
    hook.before_train_epoch(runner)
    hook.before_train_epoch(runner)  # not multiplied again
    assert model.mask_generator.tau.item() == schedule(50, decay=0.9)


def test_iteration_schedule():
    model = Prompted(tau=2.0, min_tau=0.375)
    hook = GumbelTemperatureHook(decay=0.5, by_epoch=False, interval=3)
    runner = SimpleNamespace(model=model, epoch=0, iter=0)
    hook.before_train_epoch(runner)  # no effect by iteration
    assert model.mask_generator.tau.item() == 2.0
    taus = []
    for it in range(12):
        runner.iter = it
        hook.before_train_iter(runner, it)
        taus.append(model.mask_generator.tau.item())
    # 2 * 0.5 ** 3 = 0.25 is floored at 0.375
    assert taus == [2.0] * 3 + [1.0] * 3 + [0.5] * 3 + [0.375] * 3


def test_nested_module_inside_a_ddp_wrapper():
    model = nn.Module()
    model.head = Prompted()
    # a real wrapper class, without a process group
    wrapper = MMDistributedDataParallel.__new__(MMDistributedDataParallel)
    nn.Module.__init__(wrapper)
    wrapper.module = model
    hook = GumbelTemperatureHook(module='head.mask_generator')
    hook.before_train_epoch(SimpleNamespace(model=wrapper, epoch=3))
    assert model.head.mask_generator.tau.item() == schedule(3)


def test_missing_module_is_named():
    hook = GumbelTemperatureHook(module='generator')
    with pytest.raises(AttributeError, match="'generator'"):
        hook.before_train(SimpleNamespace(model=Prompted()))


def test_by_epoch_in_an_iteration_loop_is_refused():
    loop = IterBasedTrainLoop.__new__(IterBasedTrainLoop)
    runner = SimpleNamespace(model=Prompted(), train_loop=loop)
    with pytest.raises(ValueError, match='by_epoch=False'):
        GumbelTemperatureHook().before_train(runner)
    GumbelTemperatureHook(by_epoch=False).before_train(runner)


@pytest.mark.parametrize('kwargs', [dict(decay=0.0), dict(interval=0)])
def test_bad_arguments_are_refused(kwargs):
    with pytest.raises(ValueError):
        GumbelTemperatureHook(**kwargs)


def train(tmp_path, name, max_epochs, resume_from=None):
    """A real epoch-based run: 2 iterations per epoch, a checkpoint after
    each epoch; returns the model (its ``seen`` temperatures)."""
    torch.manual_seed(0)
    model = Prompted(tau=5.0, min_tau=1.0)
    # the Runner makes its scope the current one; restore it afterwards
    with DefaultScope.overwrite_default_scope('mmir'):
        _run(model, tmp_path, name, max_epochs, resume_from)
    return model


def _run(model, tmp_path, name, max_epochs, resume_from) -> None:
    runner = Runner(
        model=model,
        work_dir=str(tmp_path / 'work'),
        experiment_name=f'gumbel_hook_{name}_{tmp_path.name}',
        train_dataloader=dict(
            dataset=[dict(inputs=torch.randn(1, 16, 16)) for _ in range(4)],
            sampler=dict(type='DefaultSampler', shuffle=False),
            collate_fn=dict(type='pseudo_collate'),
            batch_size=2,
            num_workers=0),
        train_cfg=dict(by_epoch=True, max_epochs=max_epochs),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        custom_hooks=[dict(type='mmir.GumbelTemperatureHook', decay=0.5)],
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', interval=1),
            logger=dict(type='LoggerHook', interval=1)),
        load_from=resume_from,
        resume=resume_from is not None,
        default_scope='mmir')
    runner.train()


def test_resumed_run_continues_the_schedule(tmp_path):
    full = train(tmp_path, 'full', max_epochs=4)
    # 5, 2.5, 1.25, then the floor 1 (not 0.625); 2 iterations each
    assert full.seen == [5.0] * 2 + [2.5] * 2 + [1.25] * 2 + [1.0] * 2
    checkpoint = tmp_path / 'work' / 'epoch_2.pth'
    saved = torch.load(checkpoint, weights_only=False)['state_dict']
    assert saved['mask_generator.tau'].item() == 2.5
    resumed = train(
        tmp_path, 'resumed', max_epochs=4, resume_from=str(checkpoint))
    assert resumed.seen == full.seen[4:]
