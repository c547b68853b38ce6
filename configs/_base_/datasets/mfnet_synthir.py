# SynthIR in the MFNet-T layout, read with the real MFNet-T pipelines: for
# tests and demos. Generate it with
# `python tools/dataset_converters/make_synthir.py`.
_base_ = './mfnet.py'
data_root = 'data/synthir/mfnet'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = dict(dataset=dict(data_root=data_root))
