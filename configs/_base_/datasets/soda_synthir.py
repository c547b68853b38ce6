# SynthIR in the SODA layout, read with the real SODA pipelines: for
# tests and demos. Generate it with
# `python tools/dataset_converters/make_synthir.py`.
_base_ = './soda.py'
data_root = 'data/synthir/soda/InfraredSemanticLabel'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = dict(dataset=dict(data_root=data_root))
