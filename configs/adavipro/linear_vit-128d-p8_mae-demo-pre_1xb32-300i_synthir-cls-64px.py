# Step 1 of the AdaViPro demo (CPU, about a minute): the frozen infrared
# classifier that the prompts then adapt. The demo MAE teacher (the SynthIR
# transfer benchmark's, `make demo`) probed linearly on SynthIR
# classification: its 6 blocks frozen, the pooled-token LayerNorm and the
# linear head trained (AdamW, 300 iterations, batch 32; lr 5e-2 chosen on
# val.txt: 1e-3 38.3 %, 1e-2 51.7 %, 5e-2 56.7 %, 1e-1 56.7 %).
#   python tools/dataset_converters/synthir_classification.py data/synthir
#   python tools/train.py configs/adavipro/\
#   linear_vit-128d-p8_mae-demo-pre_1xb32-300i_synthir-cls-64px.py \
#       --work-dir work_dirs/demo/adavipro-linear
_base_ = [
    './_base_/vit-128d-p8_linear-cls.py', './_base_/datasets/synthir-cls.py',
    './_base_/schedule_demo-300i.py'
]
model = dict(
    data_preprocessor={{_base_.data_preprocessor}},
    backbone=dict(
        init_cfg=dict(
            type='mmir.StrictPretrained',
            checkpoint='work_dirs/demo/pretrain/teacher/iter_1600.pth',
            prefix='backbone.',
            allow_missing=[r'^ln2\.'])))
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=5e-2, weight_decay=0.))
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        T_max={{_base_.max_iters}},
        by_epoch=False,
        begin=0,
        end={{_base_.max_iters}})
]
