# Copyright (c) mmir contributors. All rights reserved.
"""CLIP's text side without downloads: tokenizer and class prototypes.

mmpretrain's ``CLIP`` builds a HuggingFace tokenizer, which downloads its
vocabulary at run time.  :class:`OpenCLIPTokenizer` serves the same calls
from open_clip's BPE tokenizer, whose vocabulary ships inside the
open-clip-torch wheel.  The class prototypes of a frozen CLIP are computed
once with :func:`text_prototypes` and kept in a file
(:func:`save_prototypes`, :func:`load_prototypes`).

mmpretrain 1.2.0 imports its multimodal models only when ``transformers``
(>= 4.28) and ``pycocotools`` are installed; otherwise ``CLIP`` and
``CLIPZeroShot`` are registered as placeholders that raise ``ImportError``
and ``CLIPTransformer``/``CLIPProjection`` not at all.  CLIP needs neither
package (only its HuggingFace tokenizer does), so importing this module
registers mmpretrain's real CLIP classes in their place
(:func:`register_mmpretrain_clip`).
"""
from importlib import import_module
from itertools import zip_longest
from typing import Dict, List, Sequence

import mmpretrain.models.multimodal  # noqa: F401 (registers placeholders)
import torch
import torch.nn.functional as F
from mmpretrain.registry import MODELS as MMPRETRAIN_MODELS
from mmpretrain.registry import TOKENIZER
from mmpretrain.utils.dependency import WITH_MULTIMODAL
from open_clip.tokenizer import SimpleTokenizer

VP_TEMPLATE = 'This is a photo of a {}'

# mmpretrain's ``CLIP.tokenize`` reads the start and end tokens from the
# vocabulary under OpenAI's names; open_clip spells them differently.
OPENAI_SPECIAL_TOKENS = {
    '<|startoftext|>': '<start_of_text>',
    '<|endoftext|>': '<end_of_text>',
}


def register_mmpretrain_clip() -> None:
    """Put mmpretrain's CLIP models in its registry without transformers.

    Without mmpretrain's multimodal dependencies, the ``CLIP`` and
    ``CLIPZeroShot`` placeholders are dropped from mmpretrain's ``MODELS``
    (mmengine has no public unregister) and
    ``mmpretrain.models.multimodal.clip`` is imported, which registers
    ``CLIPZeroShot``, ``CLIPTransformer`` and ``CLIPProjection``.  With them
    installed mmpretrain has done so already and nothing changes.
    """
    if WITH_MULTIMODAL:
        return
    for name in ('CLIP', 'CLIPZeroShot'):
        MMPRETRAIN_MODELS._module_dict.pop(name, None)
    import_module('mmpretrain.models.multimodal.clip')


register_mmpretrain_clip()


@TOKENIZER.register_module()
class OpenCLIPTokenizer:
    """CLIP's BPE tokenizer for mmpretrain's ``CLIP``, read offline.

    It exposes what ``mmpretrain.models.multimodal.clip.CLIP`` calls on its
    tokenizer: :meth:`get_vocab` (once, for the start and end tokens),
    :meth:`tokenize` and :meth:`convert_tokens_to_ids`, backed by
    ``open_clip.tokenizer.SimpleTokenizer`` (OpenAI's 49,408-token BPE;
    ftfy repair, whitespace collapse and lower case).  With CLIP's
    ``context_length=77`` the ids of any text equal ``open_clip.tokenize``:
    start token, at most 75 BPE tokens, end token, zero padding.

    It lives in mmpretrain's ``TOKENIZER`` registry, a root with no mmir
    node, so a config names it without a prefix:
    ``tokenizer=dict(type='OpenCLIPTokenizer')`` (``'mmpretrain.'`` works
    too; ``'mmir.'`` cannot resolve).  Build the CLIP model with
    ``_scope_='mmpretrain'``: its unprefixed parts then resolve, and the
    tokenizer builds without mmengine's "Failed to search registry with
    scope mmir" warning.  This module must be imported first, as
    ``mmir.models.prompts`` or ``custom_imports`` do.
    """

    def __init__(self) -> None:
        self.bpe = SimpleTokenizer()

    def get_vocab(self) -> Dict[str, int]:
        """Return token -> id, including OpenAI's special-token names.

        Returns:
            Dict[str, int]: The BPE vocabulary.
        """
        vocab = dict(self.bpe.encoder)
        for openai_name, open_clip_name in OPENAI_SPECIAL_TOKENS.items():
            vocab[openai_name] = self.bpe.encoder[open_clip_name]
        return vocab

    def tokenize(self, text: str) -> List[str]:
        """Split a text into BPE tokens, without start or end token.

        Args:
            text (str): Raw text; cleaned as open_clip cleans it.

        Returns:
            List[str]: BPE tokens.
        """
        return [self.bpe.decoder[index] for index in self.bpe.encode(text)]

    def convert_tokens_to_ids(self, tokens: Sequence[str]) -> List[int]:
        """Map BPE tokens to their ids.

        Args:
            tokens (Sequence[str]): Tokens from :meth:`tokenize`.

        Returns:
            List[int]: Token ids.
        """
        return [self.bpe.encoder[token] for token in tokens]


def text_prototypes(clip: torch.nn.Module,
                    class_names: Sequence[str],
                    templates: Sequence[str] = (VP_TEMPLATE, )
                    ) -> torch.Tensor:
    """CLIP's zero-shot class prototypes from its text tower.

    Each class name fills every template; the normalised text embeddings
    are averaged over the templates and normalised again.  This is
    ``CLIPZeroShot.prepare_text_prototype`` with format-string templates
    (VP's ``'This is a photo of a {}'`` is not in mmpretrain's
    ``PROMPT_MAP``), returned as (C, D) instead of (D, C).

    Args:
        clip (torch.nn.Module): An mmpretrain ``CLIP`` (``tokenize`` and
            ``extract_text_feat`` are used).
        class_names (Sequence[str]): The C class names.
        templates (Sequence[str]): Format strings with one ``{}``.
            Defaults to ``(VP_TEMPLATE, )``.

    Returns:
        torch.Tensor: Unit-norm prototypes of shape (C, D), on the device
        of the model.
    """
    device = clip.token_embedding.weight.device
    prototypes = []
    with torch.no_grad():
        for name in class_names:
            tokens = clip.tokenize([t.format(name) for t in templates])
            embeds = F.normalize(
                clip.extract_text_feat(tokens.to(device)), dim=-1)
            prototypes.append(F.normalize(embeds.mean(dim=0), dim=-1))
    return torch.stack(prototypes)


def save_prototypes(path: str,
                    prototypes: torch.Tensor,
                    class_names: Sequence[str],
                    templates: Sequence[str] = (VP_TEMPLATE, )) -> None:
    """Write prototypes with their class names and templates.

    The file holds a tensor, strings and lists only, so it loads with
    ``weights_only=True``.

    Args:
        path (str): Output ``.pth`` file.
        prototypes (torch.Tensor): (C, D) prototypes.
        class_names (Sequence[str]): The C class names, in row order.
        templates (Sequence[str]): The templates they were made with.
            Defaults to ``(VP_TEMPLATE, )``.
    """
    if prototypes.dim() != 2 or prototypes.shape[0] != len(class_names):
        raise ValueError(
            f'prototypes of shape {tuple(prototypes.shape)} do not match '
            f'{len(class_names)} class names')
    torch.save(
        dict(
            prototypes=prototypes.detach().cpu().clone(),
            class_names=list(class_names),
            templates=list(templates)), path)


def load_prototypes(path: str, class_names: Sequence[str]) -> torch.Tensor:
    """Read prototypes written by :func:`save_prototypes`.

    Args:
        path (str): The ``.pth`` file.
        class_names (Sequence[str]): The class names the caller expects, in
            order; the file must hold exactly these.

    Returns:
        torch.Tensor: (C, D) prototypes, on the CPU.

    Raises:
        ValueError: If the file's class names differ (in a name, the order
            or the count); the message names the first mismatch, ``None``
            standing for a missing name.
    """
    content = torch.load(path, map_location='cpu', weights_only=True)
    stored = content['class_names']
    for index, (expected, found) in enumerate(
            zip_longest(class_names, stored)):
        if expected != found:
            raise ValueError(
                f'{path}: class {index} is {found!r}, expected '
                f'{expected!r} (the file has {len(stored)} classes, '
                f'{len(class_names)} expected)')
    return content['prototypes']
