# CIM with a ViT-B/16 enhancer (spec A.2, A.3), ResPix objective. Choices
# the paper does not confirm are listed in configs/cim/README.md:
# - generator: a BEiT of half the enhancer's width and depth (384-d, 6
#   blocks, 6 heads), its own shared relative position bias and layer scale
#   0.1, BEiT-v1 cross-entropy on masked positions; samples at temperature 1;
# - tokenizer: OpenAI's DALL-E dVAE (8192 tokens), weights converted once
#   with tools/model_converters/dalle_to_mmir.py;
# - corrupted image: the whole sampled 14 x 14 map decoded at 112 px,
#   resized bicubic to 224, normalised like the first view;
# - enhancer: BEiT-style ViT-B/16 (shared relative position bias, layer
#   scale 0.1, drop path 0.1, no absolute position embedding);
# - ResPix: a linear layer per patch token to 16 x 16 x 3 pixels, target
#   the original image normalised in a sliding 9 x 9 window, L2 on every
#   pixel; lambda = 1.
vocab_size = 8192
model = dict(
    type='mmir.CIM',
    backbone=dict(
        type='mmpretrain.BEiTViT',
        arch='base',
        img_size=224,
        patch_size=16,
        drop_path_rate=0.1,
        out_type='raw',
        final_norm=True,
        layer_scale_init_value=0.1,
        use_abs_pos_emb=False,
        use_rel_pos_bias=False,
        use_shared_rel_pos_bias=True,
        init_cfg=[
            dict(type='TruncNormal', std=0.02, layer='Linear'),
            dict(type='TruncNormal', std=0.02, layer='Conv2d'),
            dict(type='Constant', layer='LayerNorm', val=1.0, bias=0.0)
        ]),
    head=dict(
        type='mmir.ResPixHead',
        in_channels=768,
        patch_size=16,
        loss=dict(type='mmir.ResPixLoss', window_size=9, criterion='L2')),
    generator=dict(
        type='mmpretrain.BEiTPretrainViT',
        arch=dict(
            embed_dims=384,
            num_layers=6,
            num_heads=6,
            feedforward_channels=1536),
        img_size=224,
        patch_size=16,
        out_type='raw',
        final_norm=True,
        layer_scale_init_value=0.1,
        init_cfg=[
            dict(type='TruncNormal', std=0.02, layer='Linear'),
            dict(type='TruncNormal', std=0.02, layer='Conv2d'),
            dict(type='Constant', layer='LayerNorm', val=1.0, bias=0.0)
        ]),
    generator_head=dict(
        type='mmpretrain.BEiTV1Head',
        embed_dims=384,
        num_embed=vocab_size,
        loss=dict(type='mmpretrain.CrossEntropyLoss')),
    tokenizer=dict(
        type='mmir.DALLETokenizer',
        encoder=dict(type='mmpretrain.DALL-E', vocab_size=vocab_size),
        decoder=dict(type='mmir.DALLEDecoder', vocab_size=vocab_size),
        init_cfg=dict(
            type='mmir.StrictPretrained',
            checkpoint='checkpoints/dalle_dvae_mmir.pth')),
    objective='respix',
    enhancer_weight=1.0,
    temperature=1.0,
    resize_mode='bicubic')
