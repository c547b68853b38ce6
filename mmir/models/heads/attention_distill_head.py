# Copyright (c) mmir contributors. All rights reserved.
"""Head that scores student attention logits against a teacher's."""
from typing import Optional

import torch
from mmengine.model import BaseModule

from mmir.registry import MODELS


@MODELS.register_module()
class AttentionDistillHead(BaseModule):
    """Attention-distillation head of NMI-HAD (`UNIP
    <https://arxiv.org/abs/2502.02257>`_).

    It has no weights: it applies its loss, a registered module called as
    ``loss(teacher_logits, student_logits)``, as mmpretrain's
    self-supervised heads apply theirs.

    Args:
        loss (dict): The loss. Defaults to UNIP's row-wise KL,
            ``dict(type='mmir.AttentionKLLoss')``; UNIP's CE option is
            ``dict(type='mmir.AttentionCELoss')``.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self,
                 loss: dict = dict(type='mmir.AttentionKLLoss'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.loss_module = MODELS.build(loss)

    def loss(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """The loss of the student's logits against the teacher's.

        Args:
            pred (torch.Tensor): Student logits (B, H, N, N).
            target (torch.Tensor): Teacher logits of the same shape.

        Returns:
            torch.Tensor: The scalar loss.
        """
        return self.loss_module(target, pred)
