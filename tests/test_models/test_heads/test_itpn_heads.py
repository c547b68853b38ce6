# Copyright (c) mmir contributors. All rights reserved.
"""iTPN's MFM and CLIP heads against direct computations."""
import pytest
import torch

from mmir.models import iTPNClipDistillHead, iTPNMFMHead

UNITS, WIDTH, DIMS = 4, 64, 32


def layer_norm(x: torch.Tensor, eps: float) -> torch.Tensor:
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean)**2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps)


def smooth_l1(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    d = (a - b).abs()
    return torch.where(d < 1, 0.5 * d**2, d - 0.5).mean()


def teacher_stages(batch: int = 2) -> list:
    torch.manual_seed(3)
    return [
        torch.randn(batch, UNITS, 4, 4, WIDTH // 4) * 3 + 1,
        torch.randn(batch, UNITS, 2, 2, WIDTH // 2) * 3 + 1,
        torch.randn(batch, UNITS, WIDTH) * 3 + 1
    ]


def mfm_head(**kwargs) -> iTPNMFMHead:
    torch.manual_seed(4)
    head = iTPNMFMHead(
        in_dims=DIMS,
        stage_dims=(WIDTH // 4, WIDTH // 2, WIDTH),
        num_heads=4,
        decoder_depth=1,
        **kwargs)
    head.init_weights()
    return head


def direct_mfm(head, sequences, stages, mask, distance, normalise):
    """The MFM losses computed unit by unit and sub-token by sub-token."""
    losses = {}
    for level, sequence in enumerate(sequences):
        stage = 2 - level
        pred = head.preds[level](head.decoders[level](sequence))
        total, count = 0., 0
        for b in range(mask.shape[0]):
            for unit in range(UNITS):
                if not mask[b, unit]:
                    continue
                target = stages[stage][b, unit].reshape(
                    -1, stages[stage].shape[-1])
                if normalise:
                    target = layer_norm(target, 1e-6)
                guess = pred[b, unit].reshape(target.shape)
                if distance == 'l2':
                    per = ((guess - target)**2).mean(-1)
                else:
                    per = 1 - (guess * target).sum(-1) / (
                        guess.norm(dim=-1) * target.norm(dim=-1))
                total += per.mean()
                count += 1
        losses[f'loss_mfm_stage{stage + 1}'] = total / count
    return losses


@pytest.mark.parametrize('distance,target_norm', [('l2', 'layer_norm'),
                                                  ('cosine', 'none')])
def test_mfm_loss_against_a_direct_computation(distance, target_norm):
    head = mfm_head(distance=distance, target_norm=target_norm,
                    loss_weights=(0.5, 1., 2.))
    sequences = [torch.randn(2, UNITS, DIMS) for _ in range(3)]
    mask = torch.tensor([[1, 0, 1, 0], [0, 0, 1, 1]])
    stages = teacher_stages()
    losses = head.loss(sequences, stages, mask)
    direct = direct_mfm(head, sequences, stages, mask, distance,
                        target_norm == 'layer_norm')
    weights = {'loss_mfm_stage1': 0.5, 'loss_mfm_stage2': 1.,
               'loss_mfm_stage3': 2.}
    assert set(losses) == set(direct)
    for key, value in losses.items():
        assert torch.allclose(value, weights[key] * direct[key], atol=1e-5)


def test_mfm_visible_units_do_not_count():
    head = mfm_head()
    sequences = [torch.randn(2, UNITS, DIMS) for _ in range(3)]
    mask = torch.tensor([[1, 0, 0, 0], [0, 0, 0, 1]])
    stages = teacher_stages()
    changed = [s.clone() for s in stages]
    for s in changed:
        s[:, 1:3] += 10  # units 1, 2 are visible everywhere
    before = head.loss(sequences, stages, mask)
    after = head.loss(sequences, changed, mask)
    for key in before:
        assert torch.equal(before[key], after[key])


def test_mfm_bad_options_are_named():
    with pytest.raises(ValueError, match='distance'):
        mfm_head(distance='l3')
    with pytest.raises(ValueError, match='target_norm'):
        mfm_head(target_norm='batch')


def clip_head() -> iTPNClipDistillHead:
    torch.manual_seed(5)
    head = iTPNClipDistillHead(
        embed_dims=WIDTH, teacher_dims=24, fpn_dim=DIMS, num_heads=4)
    head.init_weights()
    return head


def test_clip_loss_against_a_direct_computation():
    head = clip_head()
    levels = [torch.randn(2, UNITS, s, s, DIMS) for s in (1, 2, 4)]
    aux_tokens = torch.randn(2, UNITS, WIDTH)
    target = torch.randn(2, UNITS, 24) * 4 + 2
    losses = head.loss(levels, aux_tokens, target)
    # main branch: every level's per-unit budget of WIDTH, summed
    fused = torch.zeros(2, UNITS, WIDTH)
    for level, layer in zip(levels, head.decoder_embed):
        projected = layer(level)
        fused += torch.cat([
            projected[:, :, a, b] for a in range(level.shape[2])
            for b in range(level.shape[3])
        ], dim=-1)
    main = head.lm_head(head.norm(fused))
    x = aux_tokens
    for block in head.cls_pt_layers:
        x = block(x)
    aux = head.lm_cls_head(head.norm_cls(x))
    normalised = layer_norm(target, 1e-5)
    assert torch.allclose(losses['loss_clip'], smooth_l1(main, normalised),
                          atol=1e-5)
    assert torch.allclose(losses['loss_clip_aux'],
                          smooth_l1(aux, normalised), atol=1e-5)


def test_clip_teacher_of_another_grid_is_refused():
    head = clip_head()
    levels = [torch.randn(1, UNITS, s, s, DIMS) for s in (1, 2, 4)]
    with pytest.raises(ValueError, match='one token per unit'):
        head.loss(levels, torch.randn(1, UNITS, WIDTH),
                  torch.randn(1, UNITS + 1, 24))
