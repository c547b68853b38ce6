# PAD's baseline (c) with the layer-wise lr decay option of the authors'
# code (--layer_decay 0.7): lr x 0.7^(13 - d), the embeddings at depth 0,
# block i at depth i + 1, the final norm and the decoder at lr.
_base_ = ['./mae_vit-base-p16_in1k-pre_8xb256-amp-coslr-100e_msip.py']
optim_wrapper = dict(
    constructor='mmir.BackboneLayerDecayOptimWrapperConstructor',
    paramwise_cfg=dict(layer_decay_rate=0.7))
