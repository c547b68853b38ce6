# Copyright (c) mmir contributors. All rights reserved.
"""What frozen means: no gradients, no optimizer updates, eval mode kept
through train(), deep copies and pickling."""
import copy
import pickle

import torch
import torch.nn as nn

from mmir.models.utils import freeze, is_frozen


def model() -> nn.Sequential:
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Linear(4, 8), nn.Dropout(0.5),
        nn.Sequential(nn.Linear(8, 8), nn.Dropout(0.5)), nn.Linear(8, 2))


def test_frozen_part_gets_no_gradient_and_no_update():
    net = model()
    freeze(net[2])
    before = {k: v.clone() for k, v in net.state_dict().items()}
    optimizer = torch.optim.AdamW(net.parameters(), lr=0.1,
                                  weight_decay=0.5)
    net.train()
    net(torch.randn(3, 4)).sum().backward()
    optimizer.step()
    assert all(p.grad is None for p in net[2].parameters())
    assert all(p not in optimizer.state for p in net[2].parameters())
    after = net.state_dict()
    for key in ('2.0.weight', '2.0.bias'):
        assert torch.equal(after[key], before[key]), key
    assert not torch.equal(after['0.weight'], before['0.weight'])


def test_frozen_part_stays_in_eval_mode():
    net = model()
    freeze(net[2])
    net.train()
    assert net.training and net[1].training
    assert not net[2].training and not net[2][1].training
    net[2].train(True)
    assert not net[2].training
    x = torch.randn(5, 8)
    torch.testing.assert_close(net[2](x), net[2](x), rtol=0, atol=0)
    assert is_frozen(net[2]) and not is_frozen(net[0])


def test_weights_only_freezing_keeps_the_mode():
    net = model()
    freeze(net[2], eval_mode=False)
    net.train()
    assert net[2].training and not is_frozen(net[2])
    assert not any(p.requires_grad for p in net[2].parameters())


def test_copies_stay_frozen_on_their_own():
    net = model()
    freeze(net[2])
    for clone in (copy.deepcopy(net), pickle.loads(pickle.dumps(net))):
        clone.train()
        assert is_frozen(clone[2]) and not clone[2].training
        assert clone[2].train.module is clone[2]
    assert set(net.state_dict()) == set(model().state_dict())
