# Copyright (c) mmir contributors. All rights reserved.
"""Class names of the infrared benchmarks, in label-id order.

These tuples are the single source of the class lists used by the dataset
classes and by the SynthIR writers that produce each dataset's layout.
"""

SYNTHIR_CLASSES = ('background', 'person', 'car', 'bicycle', 'road',
                   'building', 'tree', 'sky')

SODA_CLASSES = ('_background_', 'person', 'building', 'tree', 'road', 'pole',
                'grass', 'door', 'table', 'chair', 'car', 'bicycle', 'lamp',
                'monitor', 'trafficCone', 'trash can', 'animal', 'fence',
                'sky', 'river', 'sidewalk')

MFNET_CLASSES = ('_background_', 'car', 'person', 'bike', 'curve', 'car_stop',
                 'guardrail', 'color_cone', 'bump')

SCUT_SEG_CLASSES = ('background', 'road', 'person', 'rider', 'car', 'truck',
                    'fence', 'tree', 'bus', 'pole')

# FLIR ADAS thermal detection keeps the COCO category ids of these classes.
FLIR_CATEGORIES = {1: 'person', 2: 'bicycle', 3: 'car'}
