# Step 2 of the AdaViPro demo (CPU, a few minutes), AdaViPro's infrared
# row: the frozen classifier of step 1 adapted by an 8 px padding prompt at
# 64 px, applied region by region (8 px regions: an 8 x 8 grid; a 64-d mask
# generator on the Laplacian edges). SGD with the paper's learning rates
# (40 prompt, 1 mask generator), 300 iterations with 30 of warm-up, cosine;
# the Gumbel temperature starts at 5 and decays x0.98 every 3 iterations
# (100 decays, to 0.66).
#   python tools/train.py configs/adavipro/\
#   adavipro_vit-128d-p8-pad8_1xb32-300i_synthir-cls-64px.py \
#       --work-dir work_dirs/demo/adavipro
_base_ = [
    './_base_/vit-128d-p8_linear-cls.py', './_base_/datasets/synthir-cls.py',
    './_base_/schedule_demo-300i.py'
]
model = dict(
    _delete_=True,
    type='mmir.AdaViProClassifier',
    data_preprocessor={{_base_.data_preprocessor}},
    classifier={{_base_.model}},
    classifier_checkpoint='work_dirs/demo/adavipro-linear/iter_300.pth',
    prompter=dict(type='mmir.PadPrompter', image_size=64, prompt_size=8),
    mask_generator=dict(
        type='mmir.RegionMaskGenerator',
        in_channels=1,
        embed_dims=64,
        region_size=8,
        tau=5.0,
        min_tau=1e-2,
        hard=True),
    edge_detector=dict(type='mmir.LaplacianEdgeDetector'))
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=1.0, momentum=0.9, weight_decay=0.),
    paramwise_cfg=dict(custom_keys={'prompter.': dict(lr_mult=40.)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, end=30),
    dict(
        type='CosineAnnealingLR',
        T_max={{_base_.max_iters}},
        by_epoch=False,
        begin=0,
        end={{_base_.max_iters}})
]
custom_hooks = [
    dict(type='mmir.TorchRNGStateHook'),
    dict(
        type='mmir.GumbelTemperatureHook',
        decay=0.98,
        by_epoch=False,
        interval=3)
]
