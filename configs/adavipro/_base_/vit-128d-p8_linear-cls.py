# An infrared classifier for CPU: the 128-d demo ViT (6 blocks, 8 heads,
# patch 8, 64 px; the size of the demo MAE teacher), frozen, average-pooled
# patch tokens with a new LayerNorm, and a linear head over SynthIR's three
# classes.
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='mmir.AttnViT',
        arch=dict(
            embed_dims=128,
            num_layers=6,
            num_heads=8,
            feedforward_channels=512),
        img_size=64,
        patch_size=8,
        out_type='avg_featmap',
        frozen_stages=6),
    neck=None,
    head=dict(
        type='LinearClsHead',
        num_classes=3,
        in_channels=128,
        loss=dict(type='CrossEntropyLoss')))
