# SODA infrared segmentation (21 classes incl. _background_), read by
# mmir.SODADataset. Prepare it with tools/dataset_converters/soda.py.
_base_ = ['./infrared_seg.py']
dataset_type = 'mmir.SODADataset'
data_root = 'data/soda/InfraredSemanticLabel'
data_prefix = dict(img_path='JPEGImages', seg_map_path='SegmentationClassPNG')
train_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=data_prefix,
        ann_file='train_infrared.txt'))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=data_prefix,
        ann_file='test_infrared.txt'))
test_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=data_prefix,
        ann_file='test_infrared.txt'))
