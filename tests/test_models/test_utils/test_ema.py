# Copyright (c) mmir contributors. All rights reserved.
"""The name-matched EMA update and its cosine momentum."""
import math

import pytest
import torch
import torch.nn as nn

from mmir.models.utils import cosine_momentum, ema_update_


def test_cosine_momentum_schedule():
    assert cosine_momentum(0.99, 0, 100) == pytest.approx(0.99)
    assert cosine_momentum(0.99, 50, 100) == pytest.approx(0.995)
    assert cosine_momentum(0.99, 100, 100) == pytest.approx(1.)
    assert cosine_momentum(0.99, 150, 100) == pytest.approx(1.)
    assert cosine_momentum(0.99, 25, 100) == pytest.approx(
        1 - 0.01 * (math.cos(math.pi / 4) + 1) / 2)
    assert cosine_momentum(0.99, 7, None) == 0.99


def test_update_matches_parameters_by_name():
    torch.manual_seed(0)
    student = nn.ModuleDict(dict(a=nn.Linear(3, 3), b=nn.Linear(3, 2)))
    teacher = nn.ModuleDict(dict(b=nn.Linear(3, 2)))
    before = {k: v.clone() for k, v in teacher.state_dict().items()}
    ema_update_(teacher, student, 0.9)
    for key, value in teacher.state_dict().items():
        expected = 0.9 * before[key] + 0.1 * student.state_dict()[key]
        assert torch.allclose(value, expected)


def test_a_teacher_parameter_missing_in_the_student_is_named():
    with pytest.raises(KeyError, match='c.weight'):
        ema_update_(
            nn.ModuleDict(dict(c=nn.Linear(2, 2))),
            nn.ModuleDict(dict(a=nn.Linear(2, 2))), 0.5)
