# Copyright (c) mmir contributors. All rights reserved.
"""Distillation losses between attention distributions, row by row.

Both compare, for every batch element, head and query row, the softmax of
the teacher's logits (divided by a temperature) with the softmax of the
student's over the keys, and average over batch x heads x queries (CLS row
and column included, as UNIP does), in float32.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmir.registry import MODELS


def _log_probs(teacher_logits: torch.Tensor, student_logits: torch.Tensor,
               temperature: float):
    """Row-wise log-softmax of both, in float32, shapes checked."""
    if teacher_logits.shape != student_logits.shape:
        raise ValueError(f'teacher logits {tuple(teacher_logits.shape)} '
                         f'and student logits '
                         f'{tuple(student_logits.shape)} differ')
    target = F.log_softmax(teacher_logits.float() / temperature, dim=-1)
    pred = F.log_softmax(student_logits.float(), dim=-1)
    return target, pred


def attention_kl_loss(teacher_logits: torch.Tensor,
                      student_logits: torch.Tensor,
                      temperature: float = 1.0) -> torch.Tensor:
    """Mean over rows of KL(softmax(teacher / T) || softmax(student)).

    Args:
        teacher_logits (torch.Tensor): (B, H, N, N) pre-softmax logits.
        student_logits (torch.Tensor): Logits of the same shape.
        temperature (float): Divides the teacher logits only. Defaults to
            1.0.

    Returns:
        torch.Tensor: The scalar loss.
    """
    target, pred = _log_probs(teacher_logits, student_logits, temperature)
    kl = F.kl_div(pred, target, reduction='none', log_target=True)
    return kl.sum(dim=-1).mean()


def attention_ce_loss(teacher_logits: torch.Tensor,
                      student_logits: torch.Tensor,
                      temperature: float = 1.0) -> torch.Tensor:
    """Mean over rows of the cross-entropy -sum_j p_j log q_j.

    ``p = softmax(teacher / T)`` and ``q = softmax(student)`` over the keys
    of each row.  It is the KL loss plus the teacher's row entropy, which
    does not depend on the student: the gradients are the same.

    Args:
        teacher_logits (torch.Tensor): (B, H, N, N) pre-softmax logits.
        student_logits (torch.Tensor): Logits of the same shape.
        temperature (float): Divides the teacher logits only. Defaults to
            1.0.

    Returns:
        torch.Tensor: The scalar loss.
    """
    target, pred = _log_probs(teacher_logits, student_logits, temperature)
    return -(target.exp() * pred).sum(dim=-1).mean()


class _AttentionDistillLoss(nn.Module):
    """A row-wise attention loss with a temperature and a weight."""

    def __init__(self,
                 temperature: float = 1.0,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        if temperature <= 0:
            raise ValueError(f'temperature must be > 0, got {temperature}')
        self.temperature = temperature
        self.loss_weight = loss_weight

    def forward(self, teacher_logits: torch.Tensor,
                student_logits: torch.Tensor) -> torch.Tensor:
        """Weighted loss between teacher and student logits.

        Args:
            teacher_logits (torch.Tensor): (B, H, N, N) pre-softmax logits.
            student_logits (torch.Tensor): Logits of the same shape.

        Returns:
            torch.Tensor: The scalar loss.
        """
        return self.loss_weight * self.loss_fn(
            teacher_logits, student_logits, self.temperature)


@MODELS.register_module()
class AttentionKLLoss(_AttentionDistillLoss):
    """UNIP's distillation loss (its default ``--loss_type KL``).

    :func:`attention_kl_loss` times ``loss_weight``.

    Args:
        temperature (float): Divides the teacher logits only. Defaults to
            1.0.
        loss_weight (float): Multiplies the loss. Defaults to 1.0.
    """

    loss_fn = staticmethod(attention_kl_loss)


@MODELS.register_module()
class AttentionCELoss(_AttentionDistillLoss):
    """Row-wise soft cross-entropy, UNIP's ``--loss_type CE`` as intended.

    :func:`attention_ce_loss` times ``loss_weight``.  UNIP's code applies
    ``nn.CrossEntropyLoss`` to (B, H, N, N) tensors, which takes the heads
    as classes; this loss takes the keys of each row as the classes, as
    the KL option does, so the two differ by the teacher's entropy only.

    Args:
        temperature (float): Divides the teacher logits only. Defaults to
            1.0.
        loss_weight (float): Multiplies the loss. Defaults to 1.0.
    """

    loss_fn = staticmethod(attention_ce_loss)
