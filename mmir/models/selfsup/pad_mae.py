# Copyright (c) mmir contributors. All rights reserved.
"""PAD-MAE: MAE pre-training of adapters on a frozen ImageNet MAE."""
from typing import Optional

from mmpretrain.models.selfsup import MAE

from mmir.registry import MODELS
from ..utils import freeze, pretrained_last, selfsup_preprocessor


@MODELS.register_module()
class PADMAE(MAE):
    """mmpretrain's MAE that trains adapters on a frozen encoder (`PAD
    <https://arxiv.org/abs/2312.08192>`_).

    With ``frozen_encoder=True`` (PAD) the backbone must have adapters
    (e.g. :class:`~mmir.models.AdapterMAEViT`); the patch embedding, CLS
    token, position embedding, every block's attention, MLP and norms and
    the final norm are frozen, and so is the decoder's input projection
    ``neck.decoder_embed``.  What trains: the adapters with their scale
    predictors (see :class:`~mmir.engine.hooks.PADScaleWarmupHook`), the
    decoder blocks, the decoder norm, the prediction head and the mask
    token.  The frozen parts are frozen by
    :func:`~mmir.models.utils.freeze` with ``eval_mode=False``: their
    weights get no gradient, and they stay in the model's mode, as in PAD,
    whose adapters inside the frozen blocks train with dropout.

    With ``frozen_encoder=False`` everything trains: PAD's continual full
    pre-training baseline, with a plain ``MAEViT``.

    Initialise from an ImageNet MAE checkpoint that includes the decoder
    (mmpretrain/MMSelfSup's) with
    ``init_cfg=dict(type='mmir.StrictPretrained', checkpoint=...,
    allow_missing=[r'\\.ffn\\.adapter\\.'])``: it is applied after every
    submodule's own initialisation and fails on any other missing key.

    Args:
        backbone (dict): The encoder, an adapter ``MAEViT``.
        neck (dict): ``MAEPretrainDecoder``.
        head (dict): ``MAEPretrainHead`` (normalised-pixel MSE on masked
            patches).
        frozen_encoder (bool): Freeze all but the adapters and the
            decoder as above. Defaults to True.
        **kwargs: Other arguments of mmpretrain's ``MAE``
            (``data_preprocessor``, ``init_cfg``, ...).
    """

    FROZEN_NECK = ('decoder_embed', )

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 frozen_encoder: bool = True,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 **kwargs) -> None:
        super().__init__(
            backbone=backbone,
            neck=neck,
            head=head,
            data_preprocessor=selfsup_preprocessor(data_preprocessor),
            init_cfg=init_cfg,
            **kwargs)
        self.frozen_encoder = frozen_encoder
        if frozen_encoder:
            self._freeze()

    def _freeze(self) -> None:
        """Freeze all but the adapters and PAD's trained decoder parts."""
        adapters = getattr(self.backbone, 'adapters', lambda: [])()
        if not adapters:
            raise ValueError(
                f'frozen_encoder=True needs a backbone with adapters, got '
                f'{type(self.backbone).__name__} without any')
        # Weights only: PAD trains in train mode throughout.
        freeze(self.backbone, eval_mode=False)
        for adapter in adapters:
            adapter.requires_grad_(True)
        for name in self.FROZEN_NECK:
            freeze(getattr(self.neck, name), eval_mode=False)

    def init_weights(self) -> None:
        """Initialise the parts, then load a checkpoint ``init_cfg``.

        mmpretrain's ``MAEViT`` and decoder re-draw weights after their
        parent's initialisation, so a model-level checkpoint is applied last
        (see :func:`~mmir.models.utils.pretrained_last`).
        """
        with pretrained_last(self):
            super().init_weights()
