# AdaViPro on a frozen CLIP ViT-B/32 (the backbone VP used; the paper
# follows VP): OpenAI's CLIP in mmpretrain's layout (vision ViT-B/32 with
# pre-norm and QuickGELU, LayerNorm eps 1e-5 as OpenAI's, projection to
# 512; text transformer 512-d, 12 layers, 8 heads), its text tokenizer read
# offline from open-clip-torch (mmir.OpenCLIPTokenizer). Weights: OpenAI's
# ViT-B-32.pt through mmpretrain's converter
# (tools/model_converters/openai-clip_to_mmpretrain-clip.py; see
# configs/adavipro/README.md). The prompt is VP's padding prompt (30 px at
# 224), added after CLIP's normalisation; the mask generator (Laplacian
# edges -> 3x3 conv to 64 channels -> ReLU -> 32x32 stride-32 conv to 2
# logits per region, 7x7 regions) decides per region whether the prompt is
# applied: Gumbel-Softmax at tau (5, x0.98 per epoch by
# mmir.GumbelTemperatureHook, floor 0.01), hard straight-through in
# training, argmax in evaluation. Class prototypes: "This is a photo of a
# {}" with the dataset's class names, computed once by the frozen text tower.
clip_mean = [0.48145466 * 255, 0.4578275 * 255, 0.40821073 * 255]
clip_std = [0.26862954 * 255, 0.26130258 * 255, 0.27577711 * 255]
model = dict(
    type='mmir.AdaViProClassifier',
    data_preprocessor=dict(
        type='mmpretrain.ClsDataPreprocessor',
        mean=clip_mean,
        std=clip_std,
        to_rgb=True),
    classifier=dict(
        type='CLIPZeroShot',
        _scope_='mmpretrain',
        vision_backbone=dict(
            type='VisionTransformer',
            arch='base',
            img_size=224,
            patch_size=32,
            drop_rate=0.,
            pre_norm=True,
            norm_cfg=dict(type='LN', eps=1e-5),
            layer_cfgs=dict(act_cfg=dict(type='QuickGELU'))),
        projection=dict(
            type='CLIPProjection', in_channels=768, out_channels=512),
        text_backbone=dict(
            type='CLIPTransformer',
            width=512,
            layers=12,
            heads=8,
            attn_mask=True),
        tokenizer=dict(type='OpenCLIPTokenizer'),
        vocab_size=49408,
        transformer_width=512,
        proj_dim=512,
        context_length=77,
        # CLIPZeroShot's own prototypes are unused: AdaViProClassifier makes
        # them from class_names (each dataset config's) and `templates`
        text_prototype='cifar100',
        text_prompt='vanilla'),
    # strict: a file that does not fit is refused, never half loaded
    classifier_checkpoint='checkpoints/clip-vit-base-p32_openai.pth',
    prompter=dict(type='mmir.PadPrompter', image_size=224, prompt_size=30),
    mask_generator=dict(
        type='mmir.RegionMaskGenerator',
        in_channels=1,
        embed_dims=64,
        region_size=32,
        tau=5.0,
        min_tau=1e-2,
        hard=True),
    edge_detector=dict(type='mmir.LaplacianEdgeDetector'),
    templates=['This is a photo of a {}'])
