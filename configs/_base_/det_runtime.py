# Runtime shared by mmir's detection configs (mmdet scope): mmdet's own
# default runtime plus what mmir adds to every config.
_base_ = 'mmdet::_base_/default_runtime.py'
# Importing mmir allow-lists the types in mmengine checkpoints (torch >= 2.6
# loads with weights_only=True), so that load_from and --resume work.
custom_imports = dict(imports=['mmir'], allow_failed_imports=False)
# mmengine does not checkpoint the torch generator; this makes --resume exact.
custom_hooks = [dict(type='mmir.TorchRNGStateHook')]
