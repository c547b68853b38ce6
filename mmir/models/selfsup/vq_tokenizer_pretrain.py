# Copyright (c) mmir contributors. All rights reserved.
"""Training of mmir's infrared image tokenizer (a VQ-VAE) by the Runner."""
import math
from typing import Dict, List, Optional, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel

from mmir.registry import MODELS
from ..utils import selfsup_preprocessor

RECONSTRUCTION_LOSSES = {'l1': F.l1_loss, 'l2': F.mse_loss}


def code_perplexity(ids: torch.Tensor, vocab_size: int) -> torch.Tensor:
    """``exp`` of the entropy of the token histogram of ``ids``.

    1 when one code is used everywhere, ``vocab_size`` when all are used
    equally often.

    Args:
        ids (torch.Tensor): Token ids of any shape.
        vocab_size (int): Number of codes.

    Returns:
        torch.Tensor: Scalar.
    """
    counts = torch.bincount(ids.flatten(), minlength=vocab_size)
    probs = counts.float() / counts.sum()
    return torch.special.entr(probs).sum().exp()


def codebook_entropy_loss(logits: torch.Tensor,
                          temperature: float) -> torch.Tensor:
    """``mean_i H(q_i) + log V - H(mean_i q_i)`` with ``q_i =
    softmax(logits_i / temperature)`` over the ``V`` codes at position
    ``i``.

    The first term makes each position's soft assignment confident, the
    second spreads the batch over the codebook (MAGVIT-v2's entropy
    penalty, shifted by ``log V`` so that it is 0 at best).

    Args:
        logits (torch.Tensor): ``(B, V, h, w)`` token logits.
        temperature (float): Softmax temperature.

    Returns:
        torch.Tensor: Scalar, in ``[0, 2 log V]``.
    """
    log_probs = (logits / temperature).log_softmax(dim=1)
    probs = log_probs.exp()
    per_position = -(probs * log_probs).sum(dim=1).mean()
    batch_mean = probs.mean(dim=(0, 2, 3))
    return per_position + math.log(logits.shape[1]) - torch.special.entr(
        batch_mean).sum()


@MODELS.register_module()
class VQTokenizerPretrain(BaseModel):
    """Train a :class:`~mmir.models.VQTokenizer` with mmengine's Runner.

    An mmengine ``BaseModel`` rather than mmpretrain's
    ``BaseSelfSupervisor``: the latter builds and requires a ``backbone``
    (and its layer-depth queries), which a tokenizer is not. The tokenizer
    is the attribute ``tokenizer``, so checkpoints hold ``tokenizer.*``;
    load it elsewhere (CIM) with ``dict(type='mmir.VQTokenizer', ...,
    init_cfg=dict(type='mmir.StrictPretrained', checkpoint=...,
    prefix='tokenizer.'))``, which refuses a different vocabulary size or
    layout.

    ``loss`` expects pixels in ``[0, 1]`` (a ``SelfSupDataPreprocessor``
    with mean 0 and std 255) and returns

    - ``loss_rec``: L1 or L2 between the reconstruction and the input;
    - ``loss_vq``: ``codebook_loss + beta * commitment_loss`` (VQ-VAE);
    - ``loss_entropy`` (when ``entropy_weight > 0``): ``entropy_weight``
      times :func:`codebook_entropy_loss` of the token logits;
    - ``code_perplexity``: ``exp`` of the entropy of the batch's token
      histogram, logged only (no ``loss`` in its name).

    Dead codes are not restarted; the entropy loss keeps them in use
    instead. With l2-normalised codes alone, 300 steps on SynthIR left 3 to
    7 of 256 codes in use; with the entropy loss (weight 0.02, temperature
    0.05) about 200, at a similar reconstruction error. It acts through
    the gradient only, so DDP's gradient averaging keeps every rank's
    weights identical with no broadcast; its batch mean is over each
    rank's own batch.

    Args:
        tokenizer (dict): A :class:`~mmir.models.VQTokenizer` config.
        reconstruction_loss (str): ``'l1'`` or ``'l2'`` (mean squared
            error). Defaults to 'l2'.
        beta (float): Weight of the commitment loss. Defaults to 0.25.
        entropy_weight (float): Weight of the entropy loss; 0 turns it off.
            Defaults to 0.02.
        entropy_temperature (float): Its softmax temperature on the token
            logits (``2 * cosine - 2`` with l2 codes). Defaults to 0.05.
        data_preprocessor (dict, optional): Defaults to mmpretrain's
            ``SelfSupDataPreprocessor``; configs set mean 0 and std 255.
            Defaults to None.
        init_cfg (dict | list, optional): Initialisation. Defaults to None.
    """

    def __init__(self,
                 tokenizer: dict,
                 reconstruction_loss: str = 'l2',
                 beta: float = 0.25,
                 entropy_weight: float = 0.02,
                 entropy_temperature: float = 0.05,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        if reconstruction_loss not in RECONSTRUCTION_LOSSES:
            raise ValueError(
                f'reconstruction_loss must be one of '
                f'{sorted(RECONSTRUCTION_LOSSES)}, got '
                f'{reconstruction_loss!r}')
        super().__init__(
            data_preprocessor=selfsup_preprocessor(data_preprocessor),
            init_cfg=init_cfg)
        self.tokenizer = MODELS.build(tokenizer)
        self.reconstruction_loss = reconstruction_loss
        self.beta = beta
        self.entropy_weight = entropy_weight
        self.entropy_temperature = entropy_temperature

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[List] = None,
                mode: str = 'tensor'
                ) -> Union[torch.Tensor, Dict[str, torch.Tensor]]:
        """``'tensor'``: the images decoded from their tokens;
        ``'loss'``: :meth:`loss`.

        Args:
            inputs (torch.Tensor): ``(B, C, H, W)`` pixels in ``[0, 1]``.
            data_samples (list, optional): Unused. Defaults to None.
            mode (str): ``'tensor'`` or ``'loss'``. Defaults to 'tensor'.

        Returns:
            torch.Tensor | Dict[str, torch.Tensor]: As ``mode`` says.
        """
        if mode == 'tensor':
            return self.tokenizer.decode(self.tokenizer.encode(inputs))
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        raise RuntimeError(f'Invalid mode "{mode}".')

    def loss(self, inputs: torch.Tensor,
             data_samples: Optional[List] = None) -> Dict[str, torch.Tensor]:
        """Reconstruction and quantisation losses, and code usage.

        Args:
            inputs (torch.Tensor): ``(B, C, H, W)`` pixels in ``[0, 1]``.
            data_samples (list, optional): Unused. Defaults to None.

        Returns:
            Dict[str, torch.Tensor]: ``loss_rec``, ``loss_vq``,
            ``loss_entropy`` (when weighted) and ``code_perplexity``.
        """
        output = self.tokenizer.forward_train(inputs)
        criterion = RECONSTRUCTION_LOSSES[self.reconstruction_loss]
        losses = dict(
            loss_rec=criterion(output.reconstruction, inputs),
            loss_vq=output.codebook_loss +
            self.beta * output.commitment_loss)
        if self.entropy_weight > 0:
            losses['loss_entropy'] = self.entropy_weight * \
                codebook_entropy_loss(output.logits, self.entropy_temperature)
        losses['code_perplexity'] = code_perplexity(
            output.ids, self.tokenizer.vocab_size)
        return losses
