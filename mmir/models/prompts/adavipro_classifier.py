# Copyright (c) mmir contributors. All rights reserved.
"""AdaViPro: a frozen classifier adapted by a region-masked visual prompt
(and VP, its baseline, without the mask)."""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmpretrain.models.classifiers import ImageClassifier
from mmpretrain.registry import DATASETS
from mmpretrain.structures import DataSample

from mmir.checkpoint import load_strict, read_state_dict
from mmir.registry import MODELS
from ..utils import freeze, pretrained_last
from .clip_text import VP_TEMPLATE, load_prototypes, text_prototypes


def read_class_names(source: str) -> List[str]:
    """Class names from a text file (one per line) or from the registered
    name of an mmpretrain dataset class (its ``METAINFO`` classes)."""
    if osp.isfile(source):
        with open(source) as file:
            return [line.strip() for line in file if line.strip()]
    dataset = DATASETS.get(source)
    if dataset is None or 'classes' not in getattr(dataset, 'METAINFO', {}):
        raise FileNotFoundError(
            f'class names {source!r}: no such file, nor an mmpretrain '
            'dataset with METAINFO classes')
    return list(dataset.METAINFO['classes'])


@MODELS.register_module()
class AdaViProClassifier(BaseModel):
    """`AdaViPro <https://arxiv.org/abs/2403.13282>`_ around a frozen
    classifier.

    The frozen ``classifier`` sees ``x + P * m``: ``x`` is the image as the
    data preprocessor normalises it, ``P`` the ``prompter``'s template (VP's
    padding strips, :class:`~mmir.models.PadPrompter`) and ``m`` the
    ``mask_generator``'s region mask (:class:`~mmir.models.RegionMaskGenerator`
    on the ``edge_detector``'s map of ``x``: Gumbel-Softmax decisions in
    training, argmax in evaluation, dilated to pixels).  Without a
    ``mask_generator`` ``m = 1``: that is VP (Bahng et al. 2022).

    The classifier is frozen (:func:`~mmir.models.utils.freeze`: eval mode
    kept, no gradient tensors; gradients still pass through it to the
    prompt).  Two kinds:

    - mmpretrain's ``CLIPZeroShot``: logits are ``logit_scale.exp()`` times
      the cosine of the image feature and each class prototype, the mean
      text embedding of ``templates`` filled with the class names
      (``class_names``, else the classifier's ``text_prototype``), computed
      once with the frozen text tower when first needed, or read from
      ``prototypes`` (a file of :func:`~mmir.models.prompts.save_prototypes`,
      checked against the class names);
    - any mmpretrain ``ImageClassifier`` (an infrared ViT with a linear head,
      for instance): its own head's logits.

    Only the prompter and the mask generator train (give them their learning
    rates with ``paramwise_cfg.custom_keys``); the loss is cross-entropy.

    Args:
        classifier (dict): The frozen classifier, with its weights.
        prompter (dict): The prompt template.
        mask_generator (dict, optional): Where the prompt goes; None is VP.
        edge_detector (dict): The mask generator's input. Defaults to
            ``mmir.LaplacianEdgeDetector``.
        class_names (Sequence[str] | str, optional): CLIP's class names: a
            list, a text file (one per line), or an mmpretrain dataset
            type whose ``METAINFO`` has them (``'CIFAR10'``). Defaults to
            None (the classifier's ``text_prototype``).
        prototypes (str, optional): CLIP class prototypes precomputed into
            a file. Defaults to None (computed from the class names).
        classifier_checkpoint (str, optional): The frozen classifier's
            weights (an mmpretrain or mmir checkpoint of it), loaded by
            :meth:`init_weights` with a strict key check, after every
            other initialisation. Defaults to None (its own ``init_cfg``).
        classifier_prefix (str): Prefix of the classifier's weights in that
            file. Defaults to ''.
        templates (Sequence[str]): CLIP text templates. Defaults to VP's
            ``('This is a photo of a {}',)``.
        data_preprocessor (dict, optional): Defaults to mmpretrain's
            ``ClsDataPreprocessor``.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 classifier: dict,
                 prompter: dict,
                 mask_generator: Optional[dict] = None,
                 edge_detector: dict = dict(type='mmir.LaplacianEdgeDetector'),
                 class_names: Optional[Union[Sequence[str], str]] = None,
                 prototypes: Optional[str] = None,
                 classifier_checkpoint: Optional[str] = None,
                 classifier_prefix: str = '',
                 templates: Sequence[str] = (VP_TEMPLATE, ),
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        data_preprocessor = dict(data_preprocessor or {})
        data_preprocessor.setdefault('type', 'mmpretrain.ClsDataPreprocessor')
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.classifier = freeze(MODELS.build(classifier))
        self.prompter = MODELS.build(prompter)
        self.mask_generator = None
        if mask_generator is not None:
            self.mask_generator = MODELS.build(mask_generator)
            self.edge_detector = MODELS.build(edge_detector)
        self.is_clip = not isinstance(self.classifier, ImageClassifier)
        if self.is_clip and not hasattr(self.classifier,
                                        'extract_image_feat'):
            raise TypeError(
                f'classifier must be an mmpretrain ImageClassifier or '
                f'CLIPZeroShot, got {type(self.classifier).__name__}')
        self.class_names = class_names
        self.classifier_checkpoint = classifier_checkpoint
        self.classifier_prefix = classifier_prefix
        self.prototype_file = prototypes
        self.templates = tuple(templates)
        self._prototypes: Optional[torch.Tensor] = None

    def init_weights(self) -> None:
        """Initialise, then load ``classifier_checkpoint`` strictly.

        A model-level checkpoint ``init_cfg`` is applied after both (see
        :func:`~mmir.models.utils.pretrained_last`).
        """
        with pretrained_last(self):
            super().init_weights()
            if self.classifier_checkpoint is not None:
                load_strict(
                    self.classifier,
                    read_state_dict(self.classifier_checkpoint,
                                    self.classifier_prefix),
                    self.classifier_checkpoint)

    def class_prototypes(self) -> torch.Tensor:
        """CLIP's ``(num_classes, D)`` unit text prototypes, made once and
        kept on the classifier's device (moved once, not every step)."""
        if self._prototypes is None:
            names = self.clip_class_names()
            if self.prototype_file is not None:
                prototypes = load_prototypes(self.prototype_file, names)
            else:
                prototypes = text_prototypes(self.classifier, names,
                                             self.templates)
            self._prototypes = prototypes
        device = next(self.classifier.parameters()).device
        if self._prototypes.device != device:
            self._prototypes = self._prototypes.to(device)
        return self._prototypes

    def clip_class_names(self) -> List[str]:
        """The class names CLIP's prototypes are made of, refined as VP
        does (lower case, ``_`` and ``-`` as spaces)."""
        names = self.class_names
        if names is None:
            names = self.classifier.prototype
        elif isinstance(names, str):
            names = read_class_names(names)
        return [
            name.lower().replace('_', ' ').replace('-', ' ')
            for name in names
        ]

    def prompt_mask(self, inputs: torch.Tensor) -> Optional[torch.Tensor]:
        """The ``(B, 1, H, W)`` mask of the prompt (None for VP)."""
        if self.mask_generator is None:
            return None
        return self.mask_generator(self.edge_detector(inputs))

    def prompted(self, inputs: torch.Tensor) -> torch.Tensor:
        """The images the frozen classifier sees: ``x + P * m``."""
        return self.prompted_with_mask(inputs)[0]

    def prompted_with_mask(
            self, inputs: torch.Tensor
    ) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        """``x + P * m`` and the mask ``m`` it used (None for VP)."""
        prompt = self.prompter.prompt()
        mask = self.prompt_mask(inputs)
        return inputs + (prompt if mask is None else prompt * mask), mask

    def classify(self, images: torch.Tensor) -> torch.Tensor:
        """The frozen classifier's logits of (already prompted) images."""
        if not self.is_clip:
            return self.classifier(images, mode='tensor')
        features = F.normalize(
            self.classifier.extract_image_feat(images), dim=-1)
        scale = self.classifier.logit_scale.exp()
        return scale * features @ self.class_prototypes().t()

    def logits(self, inputs: torch.Tensor) -> torch.Tensor:
        """Class logits of the prompted images."""
        return self.classify(self.prompted(inputs))

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[List[DataSample]] = None,
                mode: str = 'tensor') -> Union[torch.Tensor, Dict, List]:
        """``'tensor'``: logits; ``'loss'``: the losses; ``'predict'``:
        data samples with scores and labels."""
        if mode == 'tensor':
            return self.logits(inputs)
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        raise RuntimeError(f'invalid mode "{mode}"')

    def loss(self, inputs: torch.Tensor,
             data_samples: List[DataSample]) -> Dict[str, torch.Tensor]:
        """Cross-entropy of the prompted logits, and the share of the
        image under the prompt's switched-on regions (``prompt_on``,
        AdaViPro)."""
        images, mask = self.prompted_with_mask(inputs)
        logits = self.classify(images)
        labels = torch.cat([s.gt_label for s in data_samples]).to(
            logits.device)
        losses = dict(loss=F.cross_entropy(logits, labels))
        if mask is not None:
            losses['prompt_on'] = mask.detach().mean()
        return losses

    def predict(self,
                inputs: torch.Tensor,
                data_samples: Optional[List[DataSample]] = None
                ) -> List[DataSample]:
        """Scores (softmax) and labels of the prompted images."""
        scores = F.softmax(self.logits(inputs), dim=1)
        if data_samples is None:
            data_samples = [DataSample() for _ in range(inputs.shape[0])]
        for sample, score in zip(data_samples, scores):
            sample.set_pred_score(score).set_pred_label(score.argmax())
        return data_samples
