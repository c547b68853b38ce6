# Copyright (c) mmir contributors. All rights reserved.
"""Layer-wise lr decay by the backbone's depths, under both names."""
import pytest
import torch.nn as nn
from mmengine.model import BaseModel
from mmengine.registry import DefaultScope

from mmir.models import AttnViT, iTPNHiViT
from mmir.registry import OPTIM_WRAPPER_CONSTRUCTORS

ARCH = dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64)


class Classifier(BaseModel):
    """A model with a backbone and a head, but no get_layer_depth."""

    def __init__(self) -> None:
        super().__init__()
        self.backbone = AttnViT(arch=ARCH, img_size=32, patch_size=8)
        self.head = nn.Linear(32, 3)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        return self.head(self.backbone(inputs)[0])


def learning_rates(name: str, model: nn.Module) -> dict:
    cfg = dict(
        type=f'mmir.{name}',
        optim_wrapper_cfg=dict(
            type='OptimWrapper',
            optimizer=dict(type='AdamW', lr=1.0, weight_decay=0.05)),
        paramwise_cfg=dict(layer_decay_rate=0.5))
    with DefaultScope.overwrite_default_scope('mmir'):
        wrapper = OPTIM_WRAPPER_CONSTRUCTORS.build(cfg)(model)
    return {
        id(p): group['lr']
        for group in wrapper.optimizer.param_groups for p in group['params']
    }


def test_depths_come_from_the_backbone():
    model = Classifier()
    lrs = learning_rates('BackboneLayerDecayOptimWrapperConstructor', model)
    # L = 2 blocks: depth d gets 0.5 ** (L + 1 - d).
    assert lrs[id(model.backbone.cls_token)] == pytest.approx(0.5**3)
    assert lrs[id(model.backbone.layers[0].attn.qkv.weight)] == \
        pytest.approx(0.5**2)
    assert lrs[id(model.backbone.layers[1].ffn.layers[1].weight)] == \
        pytest.approx(0.5)
    assert lrs[id(model.head.weight)] == pytest.approx(1.0)


def test_the_old_name_builds_the_same_groups_and_warns():
    model = Classifier()
    expected = learning_rates('BackboneLayerDecayOptimWrapperConstructor',
                              model)
    with pytest.warns(DeprecationWarning, match='BackboneLayerDecay'):
        old = learning_rates('SegLayerDecayOptimWrapperConstructor', model)
    assert old == expected


class PyramidDetector(BaseModel):
    """A detector-like model with an iTPN backbone and pyramid."""

    def __init__(self) -> None:
        super().__init__()
        self.backbone = iTPNHiViT(
            arch=dict(embed_dims=64, depths=(1, 2, 2), num_heads=2),
            img_size=32,
            pyramid=dict(fpn_dim=32, fpn_depth=1),
            out_type='det')
        self.head = nn.Linear(32, 3)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        return self.head(self.backbone(inputs)[0].mean((2, 3)))


def test_itpn_depths_count_blocks_not_merges():
    model = PyramidDetector()
    lrs = learning_rates('BackboneLayerDecayOptimWrapperConstructor', model)
    blocks = model.backbone.blocks  # block, merge, block, block, merge, ..
    # L = 5 blocks: depth d gets 0.5 ** (L + 1 - d).
    assert lrs[id(model.backbone.patch_embed.proj.weight)] == \
        pytest.approx(0.5**6)
    assert lrs[id(blocks[0].mlp.fc1.weight)] == pytest.approx(0.5**5)
    assert lrs[id(blocks[1].reduction.weight)] == pytest.approx(0.5**4)
    assert lrs[id(blocks[2].mlp.fc1.weight)] == pytest.approx(0.5**4)
    assert lrs[id(blocks[3].mlp.fc1.weight)] == pytest.approx(0.5**3)
    assert lrs[id(blocks[-1].attn.qkv.weight)] == pytest.approx(0.5)
    assert lrs[id(model.backbone.pyramid.split_8to4.reduction.weight)] == \
        pytest.approx(1.0)
    assert lrs[id(model.head.weight)] == pytest.approx(1.0)
