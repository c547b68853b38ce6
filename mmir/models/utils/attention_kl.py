# Copyright (c) mmir contributors. All rights reserved.
"""KL divergence between attention distributions, row by row."""
import torch
import torch.nn.functional as F


def attention_kl_loss(teacher_logits: torch.Tensor,
                      student_logits: torch.Tensor,
                      temperature: float = 1.0) -> torch.Tensor:
    """Mean over rows of KL(softmax(teacher / T) || softmax(student)).

    For every batch element, head and query row the divergence is summed
    over keys; the result is averaged over batch x heads x queries (CLS row
    and column included, as UNIP does).  Computed in float32.

    Args:
        teacher_logits (torch.Tensor): (B, H, N, N) pre-softmax logits.
        student_logits (torch.Tensor): Logits of the same shape.
        temperature (float): Divides the teacher logits only. Defaults to
            1.0.

    Returns:
        torch.Tensor: The scalar loss.
    """
    if teacher_logits.shape != student_logits.shape:
        raise ValueError(f'teacher logits {tuple(teacher_logits.shape)} '
                         f'and student logits '
                         f'{tuple(student_logits.shape)} differ')
    target = F.log_softmax(teacher_logits.float() / temperature, dim=-1)
    pred = F.log_softmax(student_logits.float(), dim=-1)
    kl = F.kl_div(pred, target, reduction='none', log_target=True)
    return kl.sum(dim=-1).mean()
