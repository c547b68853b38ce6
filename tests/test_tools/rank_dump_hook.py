# Copyright (c) mmir contributors. All rights reserved.
"""Test-only hook: every rank saves its parameters after training."""
import os.path as osp

import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS


@HOOKS.register_module()
class RankParamsDumpHook(Hook):
    """Save ``rank<k>.pth`` with the model parameters of rank ``k``."""

    def __init__(self, out_dir: str) -> None:
        self.out_dir = out_dir

    def after_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        params = {k: v.detach() for k, v in model.named_parameters()}
        torch.save(params, osp.join(self.out_dir, f'rank{get_rank()}.pth'))
