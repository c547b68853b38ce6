# SynthIR as image classification (AdaViPro's infrared row and CPU demo):
# each frame labelled by its largest object (person, bicycle or car; frames
# without objects left out), lists written by
#   python tools/dataset_converters/synthir_classification.py data/synthir
# 8-bit frames in grayscale on three channels, resized to 64 x 64 (the whole
# frame: a crop could cut the object out), flipped in training; InfMix's
# infrared statistics.
dataset_type = 'CustomDataset'
data_root = 'data/synthir/'
classes = ('person', 'bicycle', 'car')
data_preprocessor = dict(
    type='ClsDataPreprocessor',
    mean=[0.3801 * 255] * 3,
    std=[0.1871 * 255] * 3,
    to_rgb=True,
    num_classes=len(classes))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmir.RGB2Gray'),
    dict(type='Resize', scale=(64, 64), interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmir.RGB2Gray'),
    dict(type='Resize', scale=(64, 64), interpolation='bicubic'),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='cls/train.txt',
        metainfo=dict(classes=classes),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32,
    num_workers=2,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='cls/val.txt',
        metainfo=dict(classes=classes),
        pipeline=test_pipeline))
# The validation loader on the test list.
test_dataloader = dict(
    val_dataloader,
    dataset=dict(val_dataloader['dataset'], ann_file='cls/test.txt'))
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_evaluator = val_evaluator
