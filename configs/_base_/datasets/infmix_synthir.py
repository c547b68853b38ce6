# InfMix's pipeline on SynthIR's 8-bit images (one source, `synthir`), for
# demos on CPU. Write the list with
# `python tools/dataset_converters/infmix.py data/synthir --synthir`.
_base_ = ['./infmix.py']
data_root = 'data/synthir/'
crop_size = 64
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmir.RGB2Gray'),
    dict(
        type='RandomResizedCrop',
        scale=crop_size,
        crop_ratio_range=(0.2, 1.0),
        interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    drop_last=False,
    dataset=dict(
        data_root=data_root,
        ann_file='lists/infmix_synthir.txt',
        metainfo=dict(sources=('synthir', )),
        pipeline=train_pipeline))
