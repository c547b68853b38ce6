# SynthIR in the SCUT-Seg layout, read with the real SCUT-Seg pipelines: for
# tests and demos. Generate it with
# `python tools/dataset_converters/make_synthir.py`.
_base_ = './scut_seg.py'
data_root = 'data/synthir/scut_seg'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = dict(dataset=dict(data_root=data_root))
