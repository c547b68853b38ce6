# Copyright (c) mmir contributors. All rights reserved.
"""OpenCLIPTokenizer against open_clip's own ``tokenize``; prototypes against
a direct computation and mmpretrain's ``prepare_text_prototype``."""
import socket

import open_clip
import pytest
import torch
from mmengine.registry import DefaultScope

from mmir.models.prompts.clip_text import (VP_TEMPLATE, OpenCLIPTokenizer,
                                           load_prototypes, save_prototypes,
                                           text_prototypes)
from mmir.registry import MODELS

CLASSES = ['cat', 'sports car', 'maple_tree']
TEXTS = [
    'This is a photo of a cat',
    'Hello, world! (punctuation) -- "quotes"; 3.14 & <tags>',
    '  Mixed   CASE\twhitespace  ',
    'caf\u00e9 na\u00efve \u00e2\u0080\u0099 mojibake',
    ' '.join(f'word{i}' for i in range(100)),  # > 75 tokens: truncated
]


def tiny_clip_cfg(tokenizer: dict) -> dict:
    """CLIPZeroShot as the shipped ViT-B/16 config, widths 32, one layer.

    ``_scope_`` builds it and its unprefixed parts (including the data
    preprocessor that ``CLIP`` names itself) in mmpretrain's scope.
    """
    return dict(
        type='CLIPZeroShot',
        _scope_='mmpretrain',
        vision_backbone=dict(
            type='VisionTransformer',
            arch=dict(
                embed_dims=32,
                num_layers=1,
                num_heads=2,
                feedforward_channels=64),
            img_size=32,
            patch_size=16,
            layer_cfgs=dict(act_cfg=dict(type='QuickGELU')),
            pre_norm=True),
        projection=dict(
            type='CLIPProjection', in_channels=32, out_channels=16),
        text_backbone=dict(
            type='CLIPTransformer',
            width=32,
            layers=1,
            heads=2,
            attn_mask=True),
        tokenizer=tokenizer,
        vocab_size=49408,
        transformer_width=32,
        proj_dim=16,
        text_prototype=CLASSES,
        text_prompt='vanilla',
        context_length=77)


@pytest.fixture
def offline(monkeypatch):
    """Any attempt to open a network connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f'network access attempted: {args}')

    monkeypatch.setattr(socket.socket, 'connect', refuse)
    monkeypatch.setattr(socket, 'create_connection', refuse)


@pytest.fixture
def clip(offline):
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmir'):
        model = MODELS.build(
            tiny_clip_cfg(dict(type='OpenCLIPTokenizer'))).eval()
    return model


def test_tokenizer_builds_under_both_spellings(offline):
    from mmpretrain.registry import TOKENIZER
    for name in ('OpenCLIPTokenizer', 'mmpretrain.OpenCLIPTokenizer'):
        with DefaultScope.overwrite_default_scope('mmir'):
            assert isinstance(
                TOKENIZER.build(dict(type=name)), OpenCLIPTokenizer)


def test_token_ids_equal_open_clip(clip):
    assert isinstance(clip.tokenizer, OpenCLIPTokenizer)
    ids = clip.tokenize(TEXTS)
    reference = open_clip.tokenize(TEXTS)
    assert ids.dtype == reference.dtype and ids.shape == (len(TEXTS), 77)
    assert torch.equal(ids, reference)
    # the long text fills the context and ends with the end token
    assert ids[-1, -1].item() == 49407 and (ids[-1] != 0).all()
    # hand-checked: start, 'this', 'is', 'a', 'photo', 'of', 'a', 'cat', end
    assert ids[0, :10].tolist() == [
        49406, 589, 533, 320, 1125, 539, 320, 2368, 49407, 0
    ]


def test_text_prototypes_equal_direct_computation(clip):
    templates = [VP_TEMPLATE, 'a blurry photo of the {}.']
    prototypes = text_prototypes(clip, CLASSES, templates)
    expected = []
    with torch.no_grad():
        for name in CLASSES:
            embeds = []
            for template in templates:
                tokens = open_clip.tokenize([template.format(name)])
                embed = clip.extract_text_feat(tokens)[0]
                embeds.append(embed / embed.norm())
            mean = torch.stack(embeds).mean(dim=0)
            expected.append(mean / mean.norm())
    expected = torch.stack(expected)
    assert prototypes.shape == (len(CLASSES), 16)
    assert not prototypes.requires_grad
    torch.testing.assert_close(prototypes, expected)
    # two templates give a different prototype than the first alone
    single = text_prototypes(clip, CLASSES)
    assert (single - prototypes).abs().max() > 1e-3


def test_prototypes_feed_clip_zero_shot_predict(clip):
    # mmpretrain's own prototypes for PROMPT_MAP['vanilla']
    clip.prepare_text_prototype(device='cpu')
    upstream = clip.text_prototype_embeds
    ours = text_prototypes(clip, CLASSES, ['a photo of a {}'])
    torch.testing.assert_close(ours.t(), upstream)

    clip.text_prototype_embeds = text_prototypes(clip, CLASSES).t()
    images = torch.randn(2, 3, 32, 32)
    samples = clip.predict(images)
    with torch.no_grad():
        image = clip.extract_image_feat(images)
        image = image / image.norm(dim=-1, keepdim=True)
        logits = clip.logit_scale.exp() * image @ text_prototypes(
            clip, CLASSES).t()
    scores = torch.stack([sample.pred_score for sample in samples])
    torch.testing.assert_close(scores, logits.softmax(dim=1))


def test_save_load_round_trip(tmp_path):
    prototypes = torch.nn.functional.normalize(torch.randn(3, 16), dim=-1)
    path = str(tmp_path / 'prototypes.pth')
    save_prototypes(path, prototypes, CLASSES)
    loaded = load_prototypes(path, CLASSES)
    assert torch.equal(loaded, prototypes)
    stored = torch.load(path, weights_only=True)
    assert stored['class_names'] == CLASSES
    assert stored['templates'] == [VP_TEMPLATE]


def test_load_refuses_other_class_names(tmp_path):
    path = str(tmp_path / 'prototypes.pth')
    save_prototypes(path, torch.randn(3, 16), CLASSES)
    with pytest.raises(ValueError, match=r"class 1 is 'sports car', "
                       r"expected 'truck'"):
        load_prototypes(path, ['cat', 'truck', 'maple_tree'])
    with pytest.raises(ValueError, match=r"class 3 is None, expected 'dog'"):
        load_prototypes(path, CLASSES + ['dog'])
    with pytest.raises(ValueError, match=r"class 2 is 'maple_tree', "
                       r'expected None'):
        load_prototypes(path, CLASSES[:2])


def test_save_refuses_shape_mismatch(tmp_path):
    with pytest.raises(ValueError, match='do not match 3 class names'):
        save_prototypes(
            str(tmp_path / 'p.pth'), torch.randn(2, 16), CLASSES)
