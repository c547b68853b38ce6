# Copyright (c) mmir contributors. All rights reserved.
"""CIM's RevDet objective: was each visual token replaced?"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmir.registry import MODELS


def replaced_token_labels(original_ids: torch.Tensor,
                          corrupted_ids: torch.Tensor) -> torch.Tensor:
    """1 where the corrupted token differs from the original, else 0.

    As in ELECTRA, a masked position whose sampled token equals the
    original one counts as original (0); unmasked positions keep their
    token and are 0.

    Args:
        original_ids (torch.Tensor): Golden token ids, any shape.
        corrupted_ids (torch.Tensor): Token ids after sampling, same shape.

    Returns:
        torch.Tensor: Float labels of that shape.
    """
    if original_ids.shape != corrupted_ids.shape:
        raise ValueError(f'original ids {tuple(original_ids.shape)} and '
                         f'corrupted ids {tuple(corrupted_ids.shape)} differ')
    return (original_ids != corrupted_ids).float()


@torch.no_grad()
def replaced_token_accuracy(logits: torch.Tensor,
                            labels: torch.Tensor) -> torch.Tensor:
    """Fraction of positions whose logit's sign matches the label.

    Args:
        logits (torch.Tensor): Replaced-token logits.
        labels (torch.Tensor): 0/1 labels of the same shape.

    Returns:
        torch.Tensor: The scalar accuracy in [0, 1].
    """
    return ((logits > 0) == labels.bool()).float().mean()


@MODELS.register_module()
class RevDetLoss(nn.Module):
    """The RevDet loss of `CIM <https://arxiv.org/abs/2202.03382>`_.

    Binary cross-entropy with logits averaged over ALL token positions
    (replaced or not, masked or not), in float32, times ``loss_weight``.

    Args:
        loss_weight (float): Multiplies the loss. Defaults to 1.0.
    """

    def __init__(self, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, logits: torch.Tensor,
                labels: torch.Tensor) -> torch.Tensor:
        """Weighted mean BCE.

        Args:
            logits (torch.Tensor): ``(B, h, w)`` replaced-token logits.
            labels (torch.Tensor): ``(B, h, w)`` 0/1 labels
                (:func:`replaced_token_labels`).

        Returns:
            torch.Tensor: The scalar loss.
        """
        if logits.shape != labels.shape:
            raise ValueError(f'logits {tuple(logits.shape)} and labels '
                             f'{tuple(labels.shape)} differ')
        return self.loss_weight * F.binary_cross_entropy_with_logits(
            logits.float(), labels.float())
