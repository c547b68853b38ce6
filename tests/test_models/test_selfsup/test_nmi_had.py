# Copyright (c) mmir contributors. All rights reserved.
import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope

from mmir.models import NMIHAD
from mmir.models.utils import attention_nmi, closest_layer
from mmir.registry import MODELS

TEACHER = dict(
    type='AttnViT',
    arch=dict(embed_dims=48, num_layers=4, num_heads=4,
              feedforward_channels=96),
    img_size=32,
    patch_size=8)
STUDENT = dict(
    type='AttnViT',
    arch=dict(embed_dims=32, num_layers=3, num_heads=2,
              feedforward_channels=64),
    img_size=32,
    patch_size=8,
    last_heads=4,
    pos_embed_type='sincos',
    drop_path_mode='constant',
    drop_path_rate=0.1)


def build(**kwargs) -> NMIHAD:
    with DefaultScope.overwrite_default_scope('mmir'):
        model = MODELS.build(
            dict(dict(type='NMIHAD', backbone=STUDENT, teacher=TEACHER),
                 **kwargs))
    model.init_weights()
    return model


def direct_logits(vit, images, block):
    """Logits of ``block`` from the blocks' own forwards and q k^T."""
    tokens, _ = vit.embed(images)
    for layer in vit.layers[:block]:
        tokens = layer(tokens)
    attn = vit.layers[block].attn
    x = vit.layers[block].ln1(tokens)
    q, k, _ = attn.qkv(x).chunk(3, dim=-1)
    heads = attn.num_heads
    q = q.unflatten(-1, (heads, -1)).transpose(1, 2)
    k = k.unflatten(-1, (heads, -1)).transpose(1, 2)
    return (q @ k.transpose(-2, -1) / q.shape[-1]**0.5).double().numpy()


def row_softmax(logits):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize('loss_type', ['KL', 'CE'])
def test_loss_equals_a_direct_computation(loss_type):
    tau = 2.0
    model = build(
        teacher_layer=3,
        head=dict(
            type='mmir.AttentionDistillHead',
            loss=dict(type=f'mmir.Attention{loss_type}Loss',
                      temperature=tau, loss_weight=0.5))).eval()
    images = torch.randn(2, 3, 32, 32)
    loss = model.loss(images, [])['loss']
    with torch.no_grad():
        p = row_softmax(direct_logits(model.teacher, images, 2) / tau)
        q = row_softmax(direct_logits(model.backbone, images, 2))
    per_row = (p * np.log(p / q)).sum(-1) if loss_type == 'KL' else \
        -(p * np.log(q)).sum(-1)
    assert loss.item() == pytest.approx(0.5 * per_row.mean(), rel=1e-4)


def test_loss_and_gradient_flow():
    model = build(teacher_layer=2).train()
    loss = model.loss(torch.randn(2, 3, 32, 32), [])['loss']
    assert loss.ndim == 0 and loss.item() > 0
    loss.backward()
    assert all(p.grad is None for p in model.teacher.parameters())
    last = model.backbone.layers[-1]
    qkv_grad = last.attn.qkv.weight.grad
    assert qkv_grad[:64].abs().sum() > 0, 'q and k of the last block learn'
    assert torch.all(qkv_grad[64:] == 0), 'v of the last block gets nothing'
    assert last.ln1.weight.grad.abs().sum() > 0
    for module in (last.attn.proj, last.ln2, last.ffn):
        assert all(p.grad is None for p in module.parameters())
    assert model.backbone.layers[0].ffn.layers[1].weight.grad.abs().sum() > 0
    assert model.teacher.training is False


def test_teacher_stops_at_its_layer():
    model = build(teacher_layer=2)
    ran = []
    for i, layer in enumerate(model.teacher.layers):
        layer.register_forward_hook(lambda *a, i=i: ran.append(i))
    model.loss(torch.randn(1, 3, 32, 32), [])
    assert ran == [0], 'layer 2 computes only its logits'


def test_auto_picks_a_planted_layer():
    model = build(teacher_layer='auto', nmi_target=0.9)
    # Plant layer 3: huge q/k weights on the diagonal make each token
    # attend to itself (NMI near 1); other layers stay near-uniform.
    for i, layer in enumerate(model.teacher.layers):
        with torch.no_grad():
            layer.attn.qkv.weight[:96].mul_(0.01)
            if i == 2:
                eye = torch.eye(48) * 30
                layer.attn.qkv.weight[:48] = eye
                layer.attn.qkv.weight[48:96] = eye
                layer.ln1.weight.fill_(1)
    images = torch.randn(2, 3, 32, 32)
    nmi = model.select_teacher_layer(images)
    assert int(model.teacher_block) == 2
    assert nmi[2] > 0.5 > max(nmi[:2])
    assert 'teacher_block' in model.state_dict()


def test_head_mismatch_and_bad_layer_are_refused():
    with pytest.raises(ValueError, match='last_heads=4'):
        build(backbone=dict(STUDENT, last_heads=2))
    with pytest.raises(ValueError, match='1..4'):
        build(teacher_layer=5)


def test_layer_nmi_is_the_mean_over_images_and_heads_in_any_chunks():
    images = torch.randn(5, 3, 32, 32)
    model = build(teacher_layer='auto', nmi_chunk=2)
    with torch.no_grad():
        expected = [
            attention_nmi(x.softmax(-1)).mean().item()
            for x in model.teacher.forward_attention(images, range(4))
        ]
    assert model.select_teacher_layer(images) == pytest.approx(
        expected, rel=1e-9)
    assert int(model.teacher_block) == closest_layer(expected, 0.09)


def test_a_named_layer_in_the_config_wins_over_the_checkpoint(monkeypatch):
    saved = build(teacher_layer=2).state_dict()
    messages = []
    monkeypatch.setattr('mmir.models.selfsup.nmi_had.print_log',
                        lambda msg, **kwargs: messages.append(msg))
    model = build(teacher_layer=3)
    model.load_state_dict(saved)
    assert int(model.teacher_block) == 2
    assert len(messages) == 1
    assert 'layer 2' in messages[0] and 'teacher_layer=3' in messages[0]
    # 'auto' keeps the checkpoint's choice (resume), silently.
    auto = build(teacher_layer='auto')
    auto.load_state_dict(saved)
    assert int(auto.teacher_block) == 1 and len(messages) == 1
