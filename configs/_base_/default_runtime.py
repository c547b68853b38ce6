# Runtime shared by mmir's segmentation configs (mmseg scope).
default_scope = 'mmseg'
# Importing mmir allow-lists the types in mmengine checkpoints (torch >= 2.6
# loads with weights_only=True), so that load_from and --resume work.
custom_imports = dict(imports=['mmir'], allow_failed_imports=False)
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(
    type='SegLocalVisualizer', vis_backends=vis_backends, name='visualizer')
log_processor = dict(by_epoch=False)
log_level = 'INFO'
load_from = None
resume = False
tta_model = dict(type='SegTTAModel')
randomness = dict(seed=0)
# mmengine does not checkpoint the torch generator; this makes --resume exact.
custom_hooks = [dict(type='mmir.TorchRNGStateHook')]
