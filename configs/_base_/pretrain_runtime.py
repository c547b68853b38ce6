# Runtime shared by mmir's self-supervised pre-training configs
# (mmpretrain scope; mmir types carry the `mmir.` prefix).
default_scope = 'mmpretrain'
# Importing mmir allow-lists the types in mmengine checkpoints (torch >= 2.6
# loads with weights_only=True), so that load_from and --resume work.
custom_imports = dict(imports=['mmir'], allow_failed_imports=False)
default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=100),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
)
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='UniversalVisualizer', vis_backends=vis_backends)
log_processor = dict(
    window_size=10,
    custom_cfg=[dict(data_src='', method='mean', window_size='global')])
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, diff_rank_seed=True)
# mmengine does not checkpoint the torch generator; this makes --resume exact.
custom_hooks = [dict(type='mmir.TorchRNGStateHook')]
