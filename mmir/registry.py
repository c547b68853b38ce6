# Copyright (c) mmir contributors. All rights reserved.
"""All registries of mmir.

Every node is a direct child of mmengine's root registry and names the
module that fills it in ``locations``.  Hence ``type='mmir.X'`` builds from
mmpretrain-, mmseg- and mmdet-scoped configs, and an unprefixed ``X`` builds
under ``default_scope='mmir'``.  Inside mmir configs upstream modules carry
their scope: ``mmpretrain.VisionTransformer``, ``mmseg.UPerHead``.

A node is added together with the first module it holds, so that every
``locations`` entry can be imported.
"""
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import \
    WEIGHT_INITIALIZERS as MMENGINE_WEIGHT_INITIALIZERS
from mmengine.registry import Registry

DATASETS = Registry(
    'dataset', parent=MMENGINE_DATASETS, locations=['mmir.datasets'])
TRANSFORMS = Registry(
    'transform', parent=MMENGINE_TRANSFORMS, locations=['mmir.datasets'])
HOOKS = Registry('hook', parent=MMENGINE_HOOKS, locations=['mmir.engine'])
MODEL_WRAPPERS = Registry(
    'model_wrapper',
    parent=MMENGINE_MODEL_WRAPPERS,
    locations=['mmir.engine'])
MODELS = Registry('model', parent=MMENGINE_MODELS, locations=['mmir.models'])
WEIGHT_INITIALIZERS = Registry(
    'weight initializer',
    parent=MMENGINE_WEIGHT_INITIALIZERS,
    locations=['mmir.checkpoint.strict_pretrained'])
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor',
    parent=MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS,
    locations=['mmir.engine'])
