# MSIP's pipeline on SynthIR's 8-bit images (one source, `synthir`), for
# demos on CPU. Write the list with
# `python tools/dataset_converters/msip.py data/synthir --synthir` and the
# RoIs with `python tools/dataset_converters/generate_rois.py --config
# <this or a derived config>` (data/synthir/roi/<list path>.txt).
_base_ = ['./msip.py']
data_root = 'data/synthir/'
crop_size = 64
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmir.CropBorder'),
    dict(type='mmir.RandomRoICrop', scale=crop_size, p=0.85,
         interpolation='bicubic', backend='pillow'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    drop_last=False,
    dataset=dict(
        data_root=data_root,
        ann_file='lists/msip_synthir.txt',
        metainfo=dict(sources=('synthir', )),
        pipeline=train_pipeline))
