# Copyright (c) mmir contributors. All rights reserved.
"""CIM's enhancer heads against direct computations, on tiny backbones."""
import pytest
import torch
import torch.nn.functional as F
from mmpretrain.models import ResNet, VisionTransformer
from mmpretrain.models.heads import MAEPretrainHead

from mmir.models import (ResPixConvHead, ResPixHead, ResPixLoss, RevDetHead,
                         RevDetLoss)
from mmir.registry import MODELS

WIDTH, PATCH, SIZE = 32, 8, 32  # a 4x4 token grid
RESNET_CHANNELS = (8, 16, 32, 64)


def tiny_vit() -> VisionTransformer:
    torch.manual_seed(0)
    return VisionTransformer(
        arch=dict(
            embed_dims=WIDTH, num_layers=1, num_heads=2,
            feedforward_channels=64),
        img_size=SIZE,
        patch_size=PATCH,
        out_type='raw')


def tiny_resnet() -> ResNet:
    torch.manual_seed(0)
    return ResNet(
        depth=18,
        stem_channels=8,
        base_channels=8,
        out_indices=(0, 1, 2, 3))


def build(cfg: dict) -> torch.nn.Module:
    torch.manual_seed(1)
    head = MODELS.build(cfg)
    head.init_weights()
    return head


def test_respix_head_places_each_token_in_its_patch():
    head = build(dict(type='mmir.ResPixHead', in_channels=WIDTH,
                      patch_size=PATCH))
    feats = tiny_vit()(torch.rand(2, 3, SIZE, SIZE))
    pred = head(feats)
    assert pred.shape == (2, 3, SIZE, SIZE)

    tokens = head.proj(feats[-1][:, 1:])  # (B, 16, p * p * 3)
    side = SIZE // PATCH
    expected = torch.empty_like(pred)
    for i in range(side):
        for j in range(side):
            for a in range(PATCH):
                for b in range(PATCH):
                    for c in range(3):
                        expected[:, c, i * PATCH + a, j * PATCH + b] = \
                            tokens[:, i * side + j, (a * PATCH + b) * 3 + c]
    torch.testing.assert_close(pred, expected)
    # the layout is MAE's, so its unpatchify gives the same image
    mae = MAEPretrainHead(
        loss=dict(type='mmpretrain.PixelReconstructionLoss', criterion='L2'),
        patch_size=PATCH)
    torch.testing.assert_close(pred, mae.unpatchify(tokens))


def test_respix_head_ignores_the_cls_token_and_computes_its_loss():
    head = build(dict(type='mmir.ResPixHead', in_channels=WIDTH,
                      patch_size=PATCH,
                      loss=dict(type='mmir.ResPixLoss', window_size=3)))
    feats = tiny_vit()(torch.rand(2, 3, SIZE, SIZE))
    changed = feats[-1].clone()
    changed[:, 0] += 5
    torch.testing.assert_close(head((changed, )), head(feats))
    images = torch.rand(2, 3, SIZE, SIZE)
    torch.testing.assert_close(
        head.loss(feats, images), ResPixLoss(window_size=3)(head(feats),
                                                           images))


def test_linear_heads_are_truncated_normal_with_zero_bias():
    head = build(dict(type='mmir.ResPixHead', in_channels=256,
                      patch_size=PATCH))
    assert torch.all(head.proj.bias == 0)
    assert abs(head.proj.weight.std().item() - 0.02) < 0.002


def test_respix_conv_head_wires_laterals_into_the_spark_decoder():
    backbone = tiny_resnet()
    head = build(dict(type='mmir.ResPixConvHead',
                      in_channels=RESNET_CHANNELS, feature_dim=64))
    head.eval()
    backbone.eval()  # mmpretrain's ResNet.train returns None
    feats = backbone(torch.rand(2, 3, 64, 64))
    pred = head(feats)
    assert pred.shape == (2, 3, 64, 64)
    # C5, C4, C3, C2 projected by 1x1 convs to 64, 32, 16, 8 channels
    to_dec = [
        F.conv2d(level, lateral.weight, lateral.bias)
        for level, lateral in zip(reversed(feats), head.laterals)
    ]
    assert [t.shape[1] for t in to_dec] == [64, 32, 16, 8]
    # upsample C5 once, add C4, upsample, ..., add C2, upsample twice
    x = head.decoder.decoder[0](to_dec[0])
    for depth in (1, 2, 3):
        x = head.decoder.decoder[depth](x + to_dec[depth])
    x = head.decoder.decoder[4](x)
    torch.testing.assert_close(pred, head.decoder.proj(x))


def test_respix_conv_head_trains_every_parameter():
    backbone = tiny_resnet()
    head = build(dict(type='mmir.ResPixConvHead',
                      in_channels=RESNET_CHANNELS, feature_dim=64,
                      loss=dict(type='mmir.ResPixLoss', window_size=5)))
    torch.manual_seed(2)
    images = torch.rand(2, 3, 64, 64)
    params = list(backbone.parameters()) + list(head.parameters())
    optimizer = torch.optim.Adam(params, lr=1e-2)
    losses = []
    for step in range(5):
        optimizer.zero_grad()
        loss = head.loss(backbone(images), images)
        loss.backward()
        if step == 0:
            missing = [
                name for name, p in head.named_parameters()
                if p.grad is None or not p.grad.abs().sum() > 0
            ]
            assert not missing, missing
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0], losses


def test_respix_conv_head_refuses_wrong_levels():
    head = ResPixConvHead(in_channels=RESNET_CHANNELS, feature_dim=64)
    feats = [torch.zeros(1, c, 16 >> i, 16 >> i)
             for i, c in enumerate(RESNET_CHANNELS)]
    with pytest.raises(ValueError, match='levels'):
        head(feats[1:])
    with pytest.raises(ValueError, match='twice'):
        head(feats[::-1])
    with pytest.raises(ValueError, match='multiple'):
        ResPixConvHead(feature_dim=48)
    with pytest.raises(ValueError, match='power of 2'):
        ResPixConvHead(upsample_ratio=8)


def test_revdet_head_tokens_grid_and_logits():
    head = build(dict(type='mmir.RevDetHead', in_channels=WIDTH))
    feats = tiny_vit()(torch.rand(2, 3, SIZE, SIZE))
    logits = head(feats)
    side = SIZE // PATCH
    assert logits.shape == (2, side, side)
    weight, bias = head.proj.weight[0], head.proj.bias[0]
    tokens = feats[-1]
    for i in range(side):
        for j in range(side):
            direct = tokens[:, 1 + i * side + j] @ weight + bias
            torch.testing.assert_close(logits[:, i, j], direct)


def test_revdet_head_map_on_resnet_c4():
    head = build(dict(type='mmir.RevDetHead', in_channels=32,
                      input_type='map', in_index=2))
    feats = tiny_resnet()(torch.rand(2, 3, 64, 64))
    logits = head(feats)
    assert logits.shape == (2, 4, 4)  # stride 16: one logit per 16 px
    c4 = feats[2]
    direct = torch.einsum('bchw,c->bhw', c4, head.proj.weight.flatten()) \
        + head.proj.bias
    torch.testing.assert_close(logits, direct)
    labels = (torch.rand(2, 4, 4) > 0.5).float()
    torch.testing.assert_close(
        head.loss(feats, labels),
        F.binary_cross_entropy_with_logits(direct, labels))
    assert torch.all(head.proj.bias == 0)


def test_revdet_head_refuses_mismatched_inputs():
    tokens = torch.zeros(1, 1 + 15, WIDTH)
    with pytest.raises(ValueError, match='square'):
        RevDetHead(WIDTH)((tokens, ))
    with pytest.raises(ValueError, match="input_type='map'"):
        RevDetHead(WIDTH)((torch.zeros(1, WIDTH, 4, 4), ))
    with pytest.raises(ValueError, match="input_type='tokens'"):
        RevDetHead(WIDTH, input_type='map')((tokens, ))
    with pytest.raises(ValueError, match='input_type'):
        RevDetHead(WIDTH, input_type='grid')
    with pytest.raises(ValueError, match='differ'):
        RevDetHead(WIDTH).loss((torch.zeros(1, 17, WIDTH), ),
                               torch.zeros(1, 2, 2))


def test_heads_build_their_losses():
    assert isinstance(ResPixHead(WIDTH).loss_module, ResPixLoss)
    assert isinstance(RevDetHead(WIDTH).loss_module, RevDetLoss)
