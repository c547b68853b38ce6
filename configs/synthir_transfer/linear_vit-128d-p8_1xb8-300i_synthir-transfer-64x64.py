# Linear probing in the SynthIR transfer benchmark at the demo teacher's
# size: the frozen 128-d, 6-block ViT (the demo MAE; with PAD's adapters for
# the PAD row), raw outputs of blocks 2, 3, 4 and 6 concatenated at stride
# 8, one 1x1 conv. `model.backbone.adapter_layers=[]` gives the plain ViT
# (MAE and random rows). Set the checkpoint with
#   --cfg-options model.backbone.init_cfg.checkpoint=PATH
_base_ = ['./linear_vit-64d-p8_1xb8-300i_synthir-transfer-64x64.py']
embed_dims = 128
out_indices = (1, 2, 3, 5)
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmir.AdapterViT',
        arch=dict(
            embed_dims=embed_dims,
            num_layers=6,
            num_heads=8,
            feedforward_channels=4 * embed_dims),
        img_size={{_base_.crop_size}},
        patch_size=8,
        out_indices=out_indices,
        out_type='featmap',
        final_norm=False,
        frozen_stages=6,
        init_cfg=dict(
            type='mmir.StrictPretrained',
            checkpoint='work_dirs/synthir_transfer/pretrain/pad/iter_800.pth',
            prefix='backbone.')),
    decode_head=dict(
        in_channels=[embed_dims] * len(out_indices),
        channels=embed_dims * len(out_indices)))
