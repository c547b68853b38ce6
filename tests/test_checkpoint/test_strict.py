# Copyright (c) mmir contributors. All rights reserved.
"""load_strict refuses missing keys, shape mismatches and poor matches,
naming the file and the keys."""
import pytest
import torch

from mmir.checkpoint import load_strict


def test_loads_and_allows_a_few_unused_keys():
    module = torch.nn.Linear(2, 3)
    weights = dict(torch.nn.Linear(2, 3).state_dict())
    load_strict(module, dict(weights, extra=torch.ones(1)), 'a.pth')
    assert torch.equal(module.weight, weights['weight'])


def test_mismatches_are_refused_by_name():
    module = torch.nn.Linear(2, 3)
    weights = dict(module.state_dict())
    with pytest.raises(KeyError, match=r"a.pth does not match Linear: "
                       r"missing keys \['bias'\] \(1 in all\); unexpected "
                       r"keys \['b'\]"):
        load_strict(module, dict(weight=weights['weight'], b=torch.ones(3)),
                    'a.pth')
    with pytest.raises(KeyError, match='a.pth does not fit Linear:.*weight'):
        load_strict(module, dict(weights, weight=torch.ones(3, 3)), 'a.pth')
    with pytest.raises(KeyError, match=r'a.pth: only 2 of 5 tensors match '
                       r'Linear; wrong file or key map\?'):
        load_strict(module, dict(weights, x=1, y=2, z=3), 'a.pth')
