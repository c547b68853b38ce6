# SynthIR in the COCO layout with FLIR's classes, read with the real FLIR
# pipelines: for tests and demos. Generate it with
# `python tools/dataset_converters/make_synthir.py`.
_base_ = './flir.py'
data_root = 'data/synthir/coco/'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val.json')
test_evaluator = val_evaluator
