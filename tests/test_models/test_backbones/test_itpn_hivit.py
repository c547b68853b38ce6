# Copyright (c) mmir contributors. All rights reserved.
"""iTPNHiViT: layouts, outputs, masking, freezing and layer depths."""
import pytest
import torch
import torch.nn.functional as F

from mmir.models import iTPNHiViT
from mmir.models.backbones.itpn_hivit import tokens_to_map
from mmpretrain.models.utils import resize_pos_embed

ARCH = dict(embed_dims=64, depths=(1, 1, 2), num_heads=4)
FPN = 32


def tiny(**kwargs) -> iTPNHiViT:
    torch.manual_seed(0)
    model = iTPNHiViT(
        **dict(dict(arch=ARCH, img_size=64, pyramid=dict(fpn_dim=FPN)),
               **kwargs))
    model.init_weights()
    return model.eval()


def expected_params(width: int, depths, img_size: int = 224) -> int:
    """Parameters of the layout, counted from the paper's description."""
    def linear(i, o, bias=True):
        return i * o + (o if bias else 0)

    def mlp_block(d, ratio):
        return 2 * d + linear(d, int(d * ratio)) + linear(int(d * ratio), d)

    d = width // 4
    count = linear(3 * 4 * 4, d) + 2 * d  # conv 4x4 + LN
    count += (img_size // 16)**2 * width  # absolute position embedding
    for stage in range(2):
        count += depths[stage] * mlp_block(d, 3.)
        count += 2 * 4 * d + linear(4 * d, 2 * d, bias=False)  # merge
        d *= 2
    attention = 2 * width + linear(width, 3 * width) + linear(width, width)
    count += depths[2] * (attention + mlp_block(width, 4.))
    return count


@pytest.mark.parametrize('arch', ['base', 'large'])
def test_official_layouts_parameter_counts(arch):
    settings = iTPNHiViT.arch_zoo[arch]
    with torch.device('meta'):
        model = iTPNHiViT(arch)
    assert sum(p.numel() for p in model.parameters()) == expected_params(
        settings['embed_dims'], settings['depths'])
    assert model.depths == {'base': (3, 3, 24), 'large': (2, 2, 40)}[arch]


@pytest.mark.parametrize('arch,layers', [('base', 30), ('large', 44)])
def test_layer_depths_count_as_the_authors(arch, layers):
    with torch.device('meta'):
        model = iTPNHiViT(arch, pyramid=dict(fpn_dim=256))
    depth = model.get_layer_depth
    top = layers + 1
    assert depth('backbone.patch_embed.proj.weight', 'backbone.') == (0,
                                                                      top + 1)
    assert depth('backbone.absolute_pos_embed', 'backbone.')[0] == 0
    last = len(model.blocks) - 1
    assert depth(f'backbone.blocks.{last}.mlp.fc1.weight',
                 'backbone.')[0] == layers
    assert depth('backbone.blocks.0.norm2.weight', 'backbone.')[0] == 1
    first_merge = model.depths[0]
    # a merge belongs with the block after it
    assert depth(f'backbone.blocks.{first_merge}.reduction.weight',
                 'backbone.')[0] == model.depths[0] + 1
    assert depth('backbone.pyramid.fpn_modules.0.mlp.fc1.weight',
                 'backbone.')[0] == top
    assert depth('decode_head.conv_seg.weight', 'backbone.')[0] == top


def test_out_types_shapes_and_strides():
    x = torch.randn(2, 3, 64, 96)
    seg = tiny(out_type='seg')(x)
    assert [tuple(o.shape) for o in seg] == [(2, 16 + FPN, 16, 24),
                                             (2, 32 + FPN, 8, 12),
                                             (2, 64 + FPN, 4, 6),
                                             (2, 64 + FPN, 2, 3)]
    det = tiny(out_type='det')(x)
    assert [tuple(o.shape) for o in det] == [(2, FPN, 16, 24),
                                             (2, FPN, 8, 12),
                                             (2, FPN, 4, 6), (2, FPN, 2, 3),
                                             (2, FPN, 1, 1)]
    assert torch.equal(det[3], F.avg_pool2d(det[2], 2))
    assert torch.equal(det[4], F.avg_pool2d(det[3], 2))
    # segmentation: pyramid level, then the stage of the same stride
    stages = tiny(out_type='stages')(x)
    for level, stage, both in zip(det[:3], stages, seg[:3]):
        assert torch.equal(both, torch.cat([level, stage], dim=1))
    assert torch.equal(seg[3], F.max_pool2d(seg[2], 2))


def test_any_out_indices_and_no_shared_default():
    x = torch.randn(1, 3, 64, 64)
    first = tiny(out_indices=(0, 2))
    all_stages = tiny()(x)
    picked = first(x)
    assert len(picked) == 2
    assert torch.equal(picked[0], all_stages[0])
    assert torch.equal(picked[1], all_stages[2])
    assert tiny().out_indices == (0, 1, 2)


def test_tokens_to_map_interleaves_units_and_sub_tokens():
    tokens = torch.randn(2, 6, 4, 4, 5)  # a 2x3 unit grid
    feature_map = tokens_to_map(tokens, (2, 3))
    for unit in range(6):
        row, col = divmod(unit, 3)
        for a in range(4):
            for b in range(4):
                assert torch.equal(feature_map[:, :, row * 4 + a, col * 4 + b],
                                   tokens[:, unit, a, b])


def test_stage_one_map_is_the_patch_embedding_map():
    model = tiny(patch_norm=False, out_indices=(0, ))
    for block in model.stage_blocks(0)[:-1]:
        block.mlp.fc2.weight.data.zero_()
        block.mlp.fc2.bias.data.zero_()
    x = torch.randn(1, 3, 64, 32)
    assert torch.allclose(model(x)[0], model.patch_embed.proj(x), atol=1e-6)


def visible_index(mask: torch.Tensor, ids_restore: torch.Tensor):
    """The kept units in the order ``forward_masked`` returns them."""
    keep = int((mask[0] == 0).sum())
    return torch.argsort(ids_restore, dim=1)[:, :keep]


def test_masked_units_are_dropped_before_stage_one():
    model = tiny()
    x = torch.randn(3, 3, 64, 64)
    (stage1, stage2, stage3), mask, ids_restore = model.forward_masked(
        x, mask_ratio=0.75)
    assert mask.shape == (3, 16) and (mask.sum(1) == 12).all()
    kept = visible_index(mask, ids_restore)
    assert (mask.gather(1, kept) == 0).all()
    full1, full2, _ = model.forward_stages(x)
    assert stage1.shape[1] == 4
    assert torch.allclose(
        stage1, full1[torch.arange(3)[:, None], kept], atol=1e-6)
    assert torch.allclose(
        stage2, full2[torch.arange(3)[:, None], kept], atol=1e-6)
    # the main stage: the visible units alone, with their positions
    x3 = model._early_stages(model.patch_embed(x))[2]
    x3 = (x3 + model.absolute_pos_embed)[torch.arange(3)[:, None], kept]
    expected, _ = model._main_stage(x3, full_grid=False)
    assert torch.allclose(stage3, expected, atol=1e-6)


def test_mask_token_replaces_the_main_stage_input_only():
    model = tiny(mask_token=True)
    x = torch.randn(1, 3, 64, 64)
    mask = torch.zeros(1, 4, 4, dtype=torch.bool)
    mask[0, 1, 2] = True  # unit 6: rows 16-31, columns 32-47
    changed = x.clone()
    changed[..., 16:32, 32:48] += 1
    (s1, s2, s3), _ = model.forward_mask_token(x, mask)
    (c1, c2, c3), _ = model.forward_mask_token(changed, mask)
    assert not torch.allclose(s1[:, 6], c1[:, 6])
    assert torch.allclose(s1[:, 5], c1[:, 5])
    assert torch.allclose(s3, c3, atol=1e-6), 'stage 3 sees the mask token'
    unmasked, _ = model.forward_mask_token(x, torch.zeros_like(mask))
    for a, b in zip(unmasked, model.forward_stages(x)):
        assert torch.allclose(a, b, atol=1e-6)


def test_mask_token_branch_keeps_a_main_block_output():
    model = tiny(mask_token=True)
    x = torch.randn(1, 3, 64, 64)
    mask = torch.zeros(1, 16, dtype=torch.bool)
    _, kept = model.forward_mask_token(x, mask, keep_index=0)
    x3 = model._early_stages(model.patch_embed(x))[2]
    first = model.blocks[-2](x3 + model.absolute_pos_embed)
    assert torch.allclose(kept, first, atol=1e-6)


def test_relative_position_bias_needs_the_full_grid():
    model = tiny(rpe=True)
    x = torch.randn(1, 3, 64, 64)
    before = model(x)[2]
    model.blocks[-1].attn.relative_position_bias_table.data.normal_()
    assert not torch.allclose(before, model(x)[2])
    with pytest.raises(ValueError, match='relative position bias'):
        model.forward_masked(x)
    with pytest.raises(ValueError, match='relative position bias'):
        model(torch.randn(1, 3, 32, 32))


def test_frozen_stages():
    model = tiny(frozen_stages=1)
    model.train()
    frozen = [model.patch_embed] + model.stage_blocks(0)
    for module in frozen:
        assert not module.training
        assert all(not p.requires_grad for p in module.parameters())
    for module in model.stage_blocks(1) + model.stage_blocks(2):
        assert module.training
        assert all(p.requires_grad for p in module.parameters())
    assert model.absolute_pos_embed.requires_grad
    assert model.pyramid.training
    probe = tiny(frozen_stages=4)
    probe.train()
    assert not probe.absolute_pos_embed.requires_grad
    assert not probe.pyramid.training
    assert not any(p.requires_grad for p in probe.parameters())


def test_bad_arguments_and_inputs_are_named():
    with pytest.raises(ValueError, match='needs a pyramid'):
        iTPNHiViT(arch=ARCH, out_type='det')
    with pytest.raises(KeyError, match='huge'):
        iTPNHiViT(arch='huge')
    with pytest.raises(ValueError, match='out_indices'):
        iTPNHiViT(arch=ARCH, out_indices=(3, ))
    with pytest.raises(ValueError, match='60x64 is not divisible'):
        tiny()(torch.randn(1, 3, 60, 64))


def test_checkpoint_of_another_grid_is_resized_not_skipped():
    small = tiny(img_size=32, rpe=True)
    large = tiny(img_size=64, rpe=True)
    state = small.state_dict()
    missing, unexpected = large.load_state_dict(state, strict=True)
    assert not missing and not unexpected
    assert torch.allclose(
        large.absolute_pos_embed,
        resize_pos_embed(
            small.absolute_pos_embed, (2, 2), (4, 4), num_extra_tokens=0))
    table = large.blocks[-1].attn.relative_position_bias_table
    assert table.shape == (49, 4)
    # the centre (zero offset) of the 3x3 table lands on the 7x7 centre
    assert torch.allclose(
        table.view(7, 7, 4)[3, 3],
        small.blocks[-1].attn.relative_position_bias_table.view(3, 3, 4)[1,
                                                                       1])
    index = large.blocks[-1].attn.relative_position_index
    assert index.shape == (16, 16) and int(index.max()) == 48
    assert torch.allclose(large.blocks[0].mlp.fc1.weight,
                          small.blocks[0].mlp.fc1.weight)
