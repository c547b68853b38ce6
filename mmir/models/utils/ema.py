# Copyright (c) mmir contributors. All rights reserved.
"""Exponential moving average of a student's weights, matched by name."""
import math
from typing import Optional

import torch
import torch.nn as nn


def cosine_momentum(base: float, step: int, total: Optional[int]) -> float:
    """The teacher's weight ``m`` in ``teacher = m * teacher + (1 - m) *
    student`` at ``step``: ``base`` at step 0, rising to 1 at ``total`` on a
    half cosine (BYOL's schedule); ``base`` throughout when ``total`` is
    unknown."""
    if not total:
        return base
    progress = min(step / total, 1.)
    return 1 - (1 - base) * (math.cos(math.pi * progress) + 1) / 2


@torch.no_grad()
def ema_update_(teacher: nn.Module, student: nn.Module,
                momentum: float) -> None:
    """``teacher = momentum * teacher + (1 - momentum) * student`` for every
    parameter of ``teacher``, found in ``student`` by name.

    By name, not by position as mmengine's ``ExponentialMovingAverage``, so
    the teacher may hold a part of the student (iTPN's teacher has no
    pyramid); a teacher parameter the student lacks is a ``KeyError``.
    """
    source = dict(student.named_parameters())
    for name, param in teacher.named_parameters():
        param.mul_(momentum).add_(source[name].detach(), alpha=1 - momentum)
