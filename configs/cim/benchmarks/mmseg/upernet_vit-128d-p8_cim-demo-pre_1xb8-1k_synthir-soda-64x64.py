# Step 3 of the CIM demo chain: the demo enhancer (the 128-d ViT of
# configs/cim/cim-respix_vit-128d-p8_1xb16-400i_synthir-64px.py) fine-tuned
# on SynthIR (SODA layout) with the PAD demo's model and schedule without
# adapters: blocks 2, 3, 4 and 6 -> Feature2Pyramid -> UPerNet, layer decay
# 0.65; layer scale and relative position bias start new.
#   python tools/train.py configs/cim/benchmarks/mmseg/\
#       upernet_vit-128d-p8_cim-demo-pre_1xb8-1k_synthir-soda-64x64.py \
#       --work-dir work_dirs/demo/cim-seg
_base_ = [
    '../../../pad/benchmarks/mmseg/'
    'upernet_adapter-vit-128d-p8_pad-demo-pre_1xb8-1k_synthir-soda-64x64.py'
]
model = dict(
    backbone=dict(
        adapter_layers=[],
        init_cfg=dict(checkpoint='work_dirs/demo/cim/iter_400.pth')))
