# Copyright (c) mmir contributors. All rights reserved.
"""NMI-HAD: NMI-guided hybrid attention pattern distillation (UNIP)."""
import logging
from typing import Dict, List, Optional, Union

import torch
from mmengine import dist
from mmengine.logging import MMLogger, print_log
from mmpretrain.models.selfsup import BaseSelfSupervisor
from mmpretrain.structures import DataSample

from mmir.checkpoint import load_strict, map_keys, read_state_dict
from mmir.registry import MODELS
from ..utils import (attention_nmi, closest_layer, freeze, pretrained_last,
                     selfsup_preprocessor)


@MODELS.register_module()
class NMIHAD(BaseSelfSupervisor):
    """NMI-HAD pre-training of `UNIP <https://arxiv.org/abs/2502.02257>`_.

    A frozen teacher ViT runs up to layer l* and gives the pre-softmax
    attention logits of that block; the student's last block, built with
    the teacher's head count (``last_heads``), gives its logits; the head
    compares them row by row with its loss (UNIP's KL by default,
    :class:`~mmir.models.losses.AttentionKLLoss`).  Nothing else is
    distilled, there is no masking and no decoder.

    With ``teacher_layer='auto'``, l* is chosen on the first training batch
    from the NMI of every teacher layer, averaged over the images of all
    ranks (an all-reduce), and rank 0's choice is broadcast, so every rank
    distils the same layer.  The NMI is computed layer by layer on chunks
    of ``nmi_chunk`` images, so the choice holds the logits of one layer
    of one chunk at a time.  The choice is kept in the ``teacher_block``
    buffer, saved with the weights.  Loading a checkpoint (``load_from``,
    ``--resume``) restores it when the config says 'auto'; when the config
    names a layer, the config wins and a differing checkpoint value is
    reported in the log.

    Args:
        backbone (dict): The student, an :class:`~mmir.models.AttnViT`
            whose ``last_heads`` equals the teacher's head count.
        teacher (dict): The teacher, an :class:`~mmir.models.AttnViT`.
        teacher_layer (int | str): 1-based teacher layer l* (MAE-L 18,
            iBOT-L 21, DINO-B 9), or 'auto': the layer whose attention NMI
            is closest to ``nmi_target`` on the first training batch.
            Defaults to 'auto'.
        teacher_checkpoint (str, optional): Teacher weights, loaded by
            :meth:`init_weights` with a strict key check. Defaults to None.
        teacher_key_map (str): Format of that file, a key of
            ``mmir.checkpoint.KEY_MAPS`` ('timm_vit' for the official
            MAE, DINO and iBOT files). Defaults to 'mmpretrain'.
        teacher_prefix (str): Prefix of the teacher weights inside the file,
            e.g. 'backbone.'. Defaults to ''.
        nmi_target (float): UNIP's s for 'auto'. Defaults to 0.09.
        nmi_chunk (int): Images per forward when choosing l*. Defaults to
            32.
        head (dict): The head that holds the distillation loss. Defaults
            to ``dict(type='mmir.AttentionDistillHead',
            loss=dict(type='mmir.AttentionKLLoss'))`` (temperature 1).
        data_preprocessor (dict, optional): Its type defaults to
            mmpretrain's ``SelfSupDataPreprocessor``. Defaults to None.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self,
                 backbone: dict,
                 teacher: dict,
                 teacher_layer: Union[int, str] = 'auto',
                 teacher_checkpoint: Optional[str] = None,
                 teacher_key_map: str = 'mmpretrain',
                 teacher_prefix: str = '',
                 nmi_target: float = 0.09,
                 nmi_chunk: int = 32,
                 head: dict = dict(
                     type='mmir.AttentionDistillHead',
                     loss=dict(type='mmir.AttentionKLLoss')),
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            backbone=backbone,
            head=head,
            target_generator=teacher,
            data_preprocessor=selfsup_preprocessor(data_preprocessor),
            init_cfg=init_cfg)
        num_teacher_layers = self.teacher.num_layers
        if teacher_layer == 'auto':
            block = -1
        elif isinstance(teacher_layer, int) and \
                1 <= teacher_layer <= num_teacher_layers:
            block = teacher_layer - 1
        else:
            raise ValueError(f'teacher_layer must be "auto" or in '
                             f'1..{num_teacher_layers}, got {teacher_layer!r}')
        teacher_heads = self.teacher.layers[max(block, 0)].attn.num_heads
        student_heads = self.backbone.layers[-1].attn.num_heads
        if teacher_heads != student_heads:
            raise ValueError(f'the student last block has {student_heads} '
                             f'heads, the teacher {teacher_heads}: set the '
                             f'student last_heads={teacher_heads}')
        # Saved with the weights, so a resumed run keeps an 'auto' choice.
        self.register_buffer('teacher_block', torch.tensor(block))
        self.configured_block = block
        self.teacher_checkpoint = teacher_checkpoint
        self.teacher_key_map = teacher_key_map
        self.teacher_prefix = teacher_prefix
        self.nmi_target = nmi_target
        if nmi_chunk < 1:
            raise ValueError(f'nmi_chunk must be >= 1, got {nmi_chunk}')
        self.nmi_chunk = nmi_chunk
        freeze(self.teacher)

    @property
    def teacher(self) -> torch.nn.Module:
        """The teacher ViT, frozen by :func:`~mmir.models.utils.freeze`."""
        return self.target_generator

    def init_weights(self) -> None:
        """Initialise the student; load the teacher from its checkpoint.

        A model-level checkpoint ``init_cfg`` is applied after both (see
        :func:`~mmir.models.utils.pretrained_last`).
        """
        with pretrained_last(self):
            super().init_weights()
            if self.teacher_checkpoint is not None:
                weights = map_keys(
                    read_state_dict(self.teacher_checkpoint,
                                    self.teacher_prefix),
                    self.teacher_key_map)
                load_strict(self.teacher, weights, self.teacher_checkpoint)

    def _load_from_state_dict(self, state_dict: dict, prefix: str, *args,
                              **kwargs) -> None:
        """Load as usual; a layer named in the config wins over the file's."""
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)
        loaded = state_dict.get(prefix + 'teacher_block')
        if self.configured_block < 0 or loaded is None:
            return
        if int(loaded) != self.configured_block:
            print_log(
                f'NMI-HAD: the checkpoint distils teacher layer '
                f'{int(loaded) + 1}, the config teacher_layer='
                f'{self.configured_block + 1}; the config wins',
                logger='current',
                level=logging.WARNING)
        self.teacher_block.fill_(self.configured_block)

    @torch.no_grad()
    def select_teacher_layer(self, images: torch.Tensor) -> List[float]:
        """Choose l* by attention NMI on a batch and remember it.

        The mean NMI over the images (and heads) of every rank is computed
        layer by layer, chunk by chunk; rank 0's choice is broadcast.

        Args:
            images (torch.Tensor): This rank's calibration batch
                (B, C, H, W).

        Returns:
            List[float]: The NMI of every teacher layer, over all ranks.
        """
        layers = self.teacher.num_layers
        sums = torch.zeros(layers, dtype=torch.float64, device=images.device)
        counts = torch.zeros_like(sums)
        for chunk in images.split(self.nmi_chunk):
            for i, logits in self.teacher.iter_attention(chunk, range(layers)):
                nmi = attention_nmi(logits.softmax(dim=-1),
                                    self.teacher.num_extra_tokens)
                sums[i] += nmi.sum()
                counts[i] += nmi.numel()
                del logits, nmi
        dist.all_reduce(sums)
        dist.all_reduce(counts)
        layer_nmi = (sums / counts).tolist()
        block = torch.tensor(closest_layer(layer_nmi, self.nmi_target),
                             device=images.device)
        dist.broadcast(block, src=0)
        self.teacher_block.fill_(int(block))
        MMLogger.get_current_instance().info(
            'NMI-HAD teacher layer NMI: ' +
            ', '.join(f'{i + 1}: {v:.4f}' for i, v in enumerate(layer_nmi)) +
            f'; chosen layer {int(block) + 1} (closest to {self.nmi_target})')
        return layer_nmi

    def loss(self, inputs: Union[torch.Tensor, List[torch.Tensor]],
             data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """The loss between the teacher's layer-l* and the student's
        last-block attention logits.

        Args:
            inputs (torch.Tensor | List[torch.Tensor]): The images (the
                first view when a list).
            data_samples (List[DataSample]): Unused.

        Returns:
            Dict[str, torch.Tensor]: ``loss``.
        """
        images = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
        if int(self.teacher_block) < 0:
            self.select_teacher_layer(images)
        with torch.no_grad():
            target = self.teacher.forward_attention(
                images, [int(self.teacher_block)])[0]
        pred = self.backbone.forward_attention(images, [-1])[0]
        return dict(loss=self.head.loss(pred, target))
