# Copyright (c) mmir contributors. All rights reserved.
"""CIM pre-training: a small BEiT generator corrupts the image through a
frozen tokenizer, and an enhancer (ViT or CNN) learns from the corrupted
image."""
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from mmpretrain.models.selfsup import BaseSelfSupervisor
from mmpretrain.structures import DataSample

from mmir.registry import MODELS
from ..losses import replaced_token_accuracy, replaced_token_labels
from ..utils import freeze, selfsup_preprocessor

OBJECTIVES = ('respix', 'revdet')


def sample_tokens(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """Draw one visual token per row of ``logits``.

    Args:
        logits (torch.Tensor): ``(M, V)`` generator logits.
        temperature (float): Softmax temperature; ``0`` takes the argmax.

    Returns:
        torch.Tensor: ``(M,)`` token ids drawn from
        ``softmax(logits / temperature)``.
    """
    if temperature < 0:
        raise ValueError(f'temperature must be >= 0, got {temperature}')
    if temperature == 0:
        return logits.argmax(dim=-1)
    probs = torch.softmax(logits.float() / temperature, dim=-1)
    return torch.multinomial(probs, 1).squeeze(-1)


def corrupt_tokens(token_ids: torch.Tensor, mask: torch.Tensor,
                   samples: torch.Tensor) -> torch.Tensor:
    """The token map with the masked positions replaced by samples.

    Args:
        token_ids (torch.Tensor): ``(B, h, w)`` golden tokens.
        mask (torch.Tensor): ``(B, h, w)`` bool, True where corrupted.
        samples (torch.Tensor): ``(mask.sum(),)`` ids, in the row-major
            order of ``mask``.

    Returns:
        torch.Tensor: ``(B, h, w)`` corrupted token map.
    """
    corrupted = token_ids.clone()
    corrupted[mask] = samples
    return corrupted


@MODELS.register_module()
class CIM(BaseSelfSupervisor):
    """`CIM <https://arxiv.org/abs/2202.03382>`_ pre-training of an
    enhancer (the ``backbone``, saved under ``backbone.`` like every mmir
    pre-training, so it loads downstream with ``prefix='backbone.'``).

    One step (spec ``cim.md`` A.2):

    1. the frozen ``tokenizer`` (an :class:`~mmir.models.ImageTokenizer`)
       gives the golden tokens of the second view (``inputs[1]``, pixels in
       ``[0, 1]``; 112 px for a 14 x 14 grid);
    2. the ``generator`` (mmpretrain's ``BEiTPretrainViT``) sees the first
       view with the positions of ``data_samples[i].mask`` (BEiT's
       block-wise masking) replaced by its mask token, and
       ``generator_head`` (``BEiTV1Head``) gives ``loss_gen``, the
       cross-entropy on masked positions;
    3. masked tokens are replaced by samples of the generator's softmax at
       ``temperature`` (0: argmax), without gradient;
    4. the tokenizer decodes the whole corrupted map; the image is resized
       to the first view's size (``resize_mode``) and normalised with the
       data preprocessor's mean and std;
    5. the enhancer (``backbone``, optional ``neck``) and ``head`` give
       ``loss_enh``, weighted by ``enhancer_weight`` (lambda):
       ``'respix'`` regresses the original first view (back in ``[0, 1]``)
       at every pixel (:class:`~mmir.models.ResPixLoss`); ``'revdet'``
       classifies every token position as replaced or not
       (:func:`~mmir.models.replaced_token_labels`: a sample equal to the
       golden token counts as not replaced).

    The tokenizer is frozen and runs under ``torch.inference_mode``, so it
    never builds an autograd graph, and the enhancer's input is a constant:
    no gradient of ``loss_enh`` reaches the generator or the tokenizer.
    Besides the two losses the step logs the generator's accuracy on
    masked positions (``gen_acc``), the share of replaced tokens
    (``replaced``) and, for RevDet, the enhancer's accuracy
    (``revdet_acc``).

    The enhancer's output grid is checked when the model is built: a
    RevDet head must give one logit per generator patch, a ResPix head an
    image of the generator's input size.

    Args:
        backbone (dict): The enhancer: any mmpretrain backbone (ViT with
            ``out_type='raw'``, ResNet with all four stages out).
        head (dict): The enhancer head (``mmir.ResPixHead``,
            ``mmir.ResPixConvHead`` or ``mmir.RevDetHead``).
        generator (dict): ``mmpretrain.BEiTPretrainViT``.
        generator_head (dict): ``mmpretrain.BEiTV1Head`` with
            ``num_embed`` equal to the tokenizer's vocabulary.
        tokenizer (dict): A frozen :class:`~mmir.models.ImageTokenizer`
            with its weights (``init_cfg``).
        neck (dict, optional): Between enhancer and head.
        objective (str): ``'respix'`` or ``'revdet'``. Defaults to
            ``'respix'``.
        enhancer_weight (float): lambda in L = L_G + lambda * L_E.
            Defaults to 1.0.
        temperature (float): Sampling temperature (0: argmax). Defaults to
            1.0.
        resize_mode (str): ``F.interpolate`` mode from the tokenizer's size
            to the enhancer's. Defaults to ``'bicubic'``.
        data_preprocessor (dict, optional): Two views: mmpretrain's
            ``TwoNormDataPreprocessor`` with ``second_mean=0`` and
            ``second_std=255`` (the tokenizer takes ``[0, 1]``).
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 head: dict,
                 generator: dict,
                 generator_head: dict,
                 tokenizer: dict,
                 neck: Optional[dict] = None,
                 objective: str = 'respix',
                 enhancer_weight: float = 1.0,
                 temperature: float = 1.0,
                 resize_mode: str = 'bicubic',
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if objective not in OBJECTIVES:
            raise ValueError(f'objective must be one of {OBJECTIVES}, got '
                             f'{objective!r}')
        if temperature < 0:
            raise ValueError(f'temperature must be >= 0, got {temperature}')
        super().__init__(
            backbone=backbone,
            neck=neck,
            head=head,
            data_preprocessor=selfsup_preprocessor(data_preprocessor),
            init_cfg=init_cfg)
        self.generator = MODELS.build(generator)
        self.generator_head = MODELS.build(generator_head)
        self.tokenizer = freeze(MODELS.build(tokenizer))
        self.objective = objective
        self.enhancer_weight = enhancer_weight
        self.temperature = temperature
        self.resize_mode = resize_mode
        vocab = self.generator_head.cls_head.out_features
        if vocab != self.tokenizer.vocab_size:
            raise ValueError(
                f'generator_head.num_embed ({vocab}) differs from the '
                f'tokenizer vocabulary ({self.tokenizer.vocab_size})')
        self._check_enhancer_grid()

    @property
    def token_grid(self) -> Tuple[int, int]:
        """The generator's patch grid: one visual token per patch."""
        return tuple(self.generator.patch_resolution)

    @property
    def input_size(self) -> Tuple[int, int]:
        """The first view's size the generator was built for."""
        patch = self.generator.patch_embed.projection.stride
        return tuple(g * p for g, p in zip(self.token_grid, patch))

    def _check_enhancer_grid(self) -> None:
        """Run the enhancer and head once on a blank image of the input
        size (eval mode, no gradient) and refuse an output that does not
        fit the objective."""
        training = self.training
        self.eval()
        with torch.no_grad():
            out = self.head(self.extract_feat(
                torch.zeros(1, 3, *self.input_size)))
        self.train(training)
        got = tuple(out.shape[-2:])
        if self.objective == 'revdet' and got != self.token_grid:
            raise ValueError(
                f'RevDet needs one enhancer logit per visual token: the '
                f'token grid is {self.token_grid} but the enhancer head '
                f'gives {got} at {self.input_size} px; tap a feature map '
                'of the patch stride (in_index) or change the patch size')
        if self.objective == 'respix' and got != self.input_size:
            raise ValueError(
                f'ResPix predicts the whole {self.input_size} image, but '
                f'the enhancer head gives {got}')

    def extract_feat(self, inputs: torch.Tensor) -> tuple:
        """The enhancer's features (its neck's when it has one)."""
        feats = self.backbone(inputs)
        return self.neck(feats) if self.with_neck else feats

    def loss(self, inputs: List[torch.Tensor],
             data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """The losses of one batch (each ``loss*`` key is summed): the
        four steps :meth:`golden_tokens`, :meth:`generator_loss`,
        :meth:`corrupt` and :meth:`enhancer_loss`, in this order."""
        img, tokenizer_view = inputs[0], inputs[1]
        mask = torch.stack([s.mask for s in data_samples]).bool()
        golden = self.golden_tokens(tokenizer_view, mask)
        loss_gen, logits = self.generator_loss(img, mask, golden)
        corrupted_ids, corrupted = self.corrupt(golden, mask, logits,
                                                img.shape[2:])
        losses = self.enhancer_loss(img, corrupted, golden, corrupted_ids)
        losses.update(
            loss_gen=loss_gen,
            gen_acc=(logits.argmax(-1) == golden[mask]).float().mean()
            .detach())
        return losses

    def golden_tokens(self, tokenizer_view: torch.Tensor,
                      mask: torch.Tensor) -> torch.Tensor:
        """The tokenizer's ids of the second view, on the mask's grid."""
        golden = self.tokenize(tokenizer_view)
        if golden.shape[1:] != mask.shape[1:]:
            raise ValueError(
                f'the tokenizer gives a {tuple(golden.shape[1:])} token grid '
                f'for its {tuple(tokenizer_view.shape[2:])} view, the mask '
                f'is {tuple(mask.shape[1:])}')
        return golden

    def generator_loss(self, img: torch.Tensor, mask: torch.Tensor,
                       golden: torch.Tensor
                       ) -> Tuple[torch.Tensor, torch.Tensor]:
        """BEiT's cross-entropy on the masked positions, and the
        generator's ``(mask.sum(), V)`` logits there."""
        feats = self.generator(img, mask)[0][:, 1:]
        logits = self.generator_head.cls_head(feats[mask.flatten(1)])
        return self.generator_head.loss_module(logits, golden[mask]), logits

    @torch.no_grad()
    def corrupt(self, golden: torch.Tensor, mask: torch.Tensor,
                logits: torch.Tensor, size: Tuple[int, int]
                ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Masked tokens replaced by samples of the generator's softmax;
        the corrupted token map and its image at ``size``."""
        samples = sample_tokens(logits.detach(), self.temperature)
        corrupted_ids = corrupt_tokens(golden, mask, samples)
        return corrupted_ids, self.corrupted_image(corrupted_ids, size)

    def enhancer_loss(self, img: torch.Tensor, corrupted: torch.Tensor,
                      golden: torch.Tensor,
                      corrupted_ids: torch.Tensor) -> Dict[str, torch.Tensor]:
        """``loss_enh`` (weighted by lambda), the share of replaced tokens
        and, for RevDet, the enhancer's accuracy."""
        out = self.extract_feat(corrupted)
        labels = replaced_token_labels(golden, corrupted_ids)
        losses = dict(replaced=labels.mean())
        if self.objective == 'respix':
            loss_enh = self.head.loss(out, self.original_pixels(img))
        else:
            revdet_logits = self.head(out)
            loss_enh = self.head.loss_module(revdet_logits, labels)
            losses['revdet_acc'] = replaced_token_accuracy(
                revdet_logits, labels)
        losses['loss_enh'] = self.enhancer_weight * loss_enh
        return losses

    def tokenize(self, images: torch.Tensor) -> torch.Tensor:
        """Golden token ids of ``[0, 1]`` images, without autograd."""
        with torch.inference_mode():
            token_ids = self.tokenizer.encode(images)
        return token_ids.clone()

    def corrupted_image(self, token_ids: torch.Tensor,
                        size: Tuple[int, int]) -> torch.Tensor:
        """Decode a token map, resize it to ``size`` and normalise it as
        the data preprocessor normalises the first view."""
        with torch.inference_mode():
            pixels = self.tokenizer.decode(token_ids)
            if tuple(pixels.shape[2:]) != tuple(size):
                pixels = F.interpolate(
                    pixels, size=tuple(size), mode=self.resize_mode,
                    align_corners=False).clamp_(0, 1)
            mean, std = self._pixel_statistics()
            image = (pixels * 255 - mean) / std
        return image.clone()

    def original_pixels(self, img: torch.Tensor) -> torch.Tensor:
        """The normalised first view back in ``[0, 1]`` (ResPix target)."""
        mean, std = self._pixel_statistics()
        return (img * std + mean) / 255

    def _pixel_statistics(self) -> Tuple[torch.Tensor, torch.Tensor]:
        """The data preprocessor's mean and std, ``(1, C, 1, 1)``."""
        preprocessor = self.data_preprocessor
        return preprocessor.mean.view(1, -1, 1, 1), preprocessor.std.view(
            1, -1, 1, 1)
