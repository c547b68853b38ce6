# Copyright (c) mmir contributors. All rights reserved.
"""iTPN pre-training: pixel MIM through the integral pyramid, masked
feature modeling from an EMA teacher, or a CLIP-like teacher."""
import copy
from typing import Dict, List, Optional, Union

import torch
from mmengine.logging import MessageHub
from mmpretrain.models.selfsup import BaseSelfSupervisor
from mmpretrain.structures import DataSample

from mmir.registry import MODELS
from ..utils import (cosine_momentum, ema_update_, freeze,
                     selfsup_preprocessor)

TARGETS = ('pixel', 'clip')


@MODELS.register_module()
class iTPN(BaseSelfSupervisor):
    """`iTPN <https://arxiv.org/abs/2211.12735>`_ pre-training of a HiViT
    and its integral feature pyramid (:class:`~mmir.models.iTPNHiViT` with
    ``pyramid``), which are saved under ``backbone.`` and load unchanged
    into the detection and segmentation models.

    ``target='pixel'``: a random ``mask_ratio`` of the units is dropped
    before stage 1; the pyramid's levels of the visible units are fused
    and decoded (``neck``, :class:`~mmir.models.iTPNDecoder`) into
    pixels, and ``head`` (mmpretrain's ``MAEPretrainHead`` with
    ``norm_pix=True``) gives the normalised-pixel MSE on masked units.
    With ``mfm_head`` (:class:`~mmir.models.iTPNMFMHead`) an EMA copy of
    the backbone's stages (the pyramid is not copied: its targets are the
    backbone's stage features) sees the whole image, and each pyramid
    level reconstructs its stage feature at the same stride on the masked
    units. The teacher starts as a copy of the student at the first step
    and follows it, once per optimizer step (gradient accumulation
    included), with the momentum :func:`cosine_momentum` (from
    ``base_momentum`` to 1 over the run); its weights and update count are
    in the checkpoint, so ``--resume`` continues it exactly.

    ``target='clip'``: the units masked by ``data_samples[i].mask``
    (BEiT's block-wise masking) get the backbone's mask token at stage 3;
    ``head`` (:class:`~mmir.models.iTPNClipDistillHead`) regresses the
    frozen ``target_generator``'s tokens of the second view from the
    fused pyramid and from main block ``int(aux_layer_ratio * depth)``.

    Args:
        backbone (dict): An ``mmir.iTPNHiViT`` with a ``pyramid``.
        neck (dict, optional): The pixel decoder (pixel target).
        head (dict): The pixel head or the CLIP head.
        mfm_head (dict, optional): Masked feature modeling (pixel target).
        target_generator (dict, optional): The frozen teacher of the CLIP
            target: any mmpretrain image encoder giving one token per unit.
        target (str): ``'pixel'`` or ``'clip'``. Defaults to ``'pixel'``.
        mask_ratio (float): Units dropped (pixel target). Defaults to 0.75.
        base_momentum (float): EMA teacher momentum at the first step.
            Defaults to 0.996.
        aux_layer_ratio (float): Where the CLIP head's auxiliary branch
            taps the main stage. Defaults to 0.75.
        teacher_extra_tokens (int): Leading tokens (CLS) of the teacher's
            token output to drop. Defaults to 1.
        data_preprocessor (dict, optional): Defaults to mmpretrain's
            ``SelfSupDataPreprocessor``.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 head: dict,
                 neck: Optional[dict] = None,
                 mfm_head: Optional[dict] = None,
                 target_generator: Optional[dict] = None,
                 target: str = 'pixel',
                 mask_ratio: float = 0.75,
                 base_momentum: float = 0.996,
                 aux_layer_ratio: float = 0.75,
                 teacher_extra_tokens: int = 1,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if target not in TARGETS:
            raise ValueError(f'target must be one of {TARGETS}, got '
                             f'{target!r}')
        if target == 'pixel' and neck is None:
            raise ValueError("target='pixel' needs the pixel decoder (neck)")
        if target == 'clip' and (target_generator is None or mfm_head):
            raise ValueError("target='clip' needs a target_generator and "
                             'takes no mfm_head')
        super().__init__(
            backbone=backbone,
            neck=neck,
            head=head,
            target_generator=target_generator,
            data_preprocessor=selfsup_preprocessor(data_preprocessor),
            init_cfg=init_cfg)
        if getattr(self.backbone, 'pyramid', None) is None:
            raise ValueError('iTPN pre-trains the pyramid: give the backbone '
                             'a pyramid')
        self.target = target
        self.mask_ratio = mask_ratio
        self.base_momentum = base_momentum
        self.aux_index = int(aux_layer_ratio * self.backbone.num_main_blocks)
        self.teacher_extra_tokens = teacher_extra_tokens
        if self.with_target_generator:
            freeze(self.target_generator)
        self.mfm_head = None
        if mfm_head is not None:
            self.mfm_head = MODELS.build(mfm_head)
            self.teacher = copy.deepcopy(self.backbone)
            self.teacher.pyramid = None
            freeze(self.teacher)
            self.register_buffer('ema_steps',
                                 torch.zeros((), dtype=torch.long))
            self._student_version: Optional[int] = None

    def extract_feat(self, inputs: torch.Tensor) -> tuple:
        """The backbone's maps (its ``out_type``)."""
        return self.backbone(inputs)

    def loss(self, inputs: Union[torch.Tensor, List[torch.Tensor]],
             data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """The losses of one batch (each key is summed into the total)."""
        if self.target == 'clip':
            return self._clip_loss(inputs, data_samples)
        img = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
        grid = self.backbone.grid_of(img)
        stages, mask, ids_restore = self.backbone.forward_masked(
            img, self.mask_ratio)
        sequences = self.neck.embed(self.backbone.pyramid(stages),
                                    ids_restore)
        pred = self.neck(sequences, grid)
        losses = dict(loss_pixel=self.head.loss(pred, img, mask))
        if self.mfm_head is not None:
            self._update_teacher()
            with torch.no_grad():
                teacher_stages = self.teacher.forward_stages(img)
            pos = self.neck.pos_embed(grid)
            losses.update(
                self.mfm_head.loss([s + pos for s in sequences],
                                   teacher_stages, mask))
        return losses

    def current_momentum(self) -> float:
        """The EMA momentum now: 0 at the first update (a copy), then
        :func:`cosine_momentum` at the runner's iteration out of its
        ``max_iters`` (mmengine's message hub; the count of teacher updates
        where no runner runs)."""
        if int(self.ema_steps) == 0:
            return 0.
        hub = MessageHub.get_current_instance()
        step = hub.get_info('iter')
        return cosine_momentum(
            self.base_momentum,
            int(self.ema_steps) if step is None else step,
            hub.get_info('max_iters'))

    @torch.no_grad()
    def _update_teacher(self) -> None:
        """One EMA update per optimizer step: with gradient accumulation
        the later micro-batches of a step find the student unchanged (the
        parameters' in-place version counters) and leave the teacher."""
        version = sum(p._version for p in self.backbone.parameters())
        if version == self._student_version:
            return
        self._student_version = version
        ema_update_(self.teacher, self.backbone, self.current_momentum())
        self.ema_steps += 1

    def _clip_loss(self, inputs: List[torch.Tensor],
                   data_samples: List[DataSample]) -> Dict[str, torch.Tensor]:
        student, teacher_view = inputs[0], inputs[1]
        mask = torch.stack([s.mask for s in data_samples]).bool()
        stages, aux_tokens = self.backbone.forward_mask_token(
            student, mask, self.aux_index)
        levels = self.backbone.pyramid(stages)
        with torch.no_grad():
            target = self.teacher_tokens(self.target_generator(teacher_view))
        return self.head.loss(levels, aux_tokens, target)

    def teacher_tokens(self, output: Union[torch.Tensor,
                                           tuple]) -> torch.Tensor:
        """``(B, N, D)`` tokens from a teacher's output: the first of a
        tuple; a ``(B, D, h, w)`` map flattened; else the tokens without
        the ``teacher_extra_tokens`` leading ones."""
        if isinstance(output, (list, tuple)):
            output = output[0]
        if output.dim() == 4:
            return output.flatten(2).transpose(1, 2)
        return output[:, self.teacher_extra_tokens:]
