# Copyright (c) mmir contributors. All rights reserved.
"""Distributed data-parallel training on CPU-only machines (gloo).

mmengine 0.10.7 assumes a GPU per process: ``init_dist`` calls
``torch.cuda.set_device`` and the runner wraps the model in
``MMDistributedDataParallel`` with ``device_ids=[LOCAL_RANK]``, which torch
refuses for CPU modules.  When a launcher is used on a machine without
CUDA, :func:`setup_cpu_distributed` starts the gloo process group itself
(the runner then skips ``init_dist``) and selects
:class:`CPUDistributedDataParallel`.
"""
import torch
import torch.distributed as dist
from mmengine.config import Config
from mmengine.model import MMDistributedDataParallel

from mmir.registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
class CPUDistributedDataParallel(MMDistributedDataParallel):
    """``MMDistributedDataParallel`` for modules that live on the CPU.

    Args:
        module (torch.nn.Module): The model to wrap.
        device_ids (list, optional): Ignored: CPU modules take none. The
            runner passes the local rank here. Defaults to None.
        **kwargs: Other arguments of ``MMDistributedDataParallel``.
    """

    def __init__(self,
                 module: torch.nn.Module,
                 device_ids: list = None,
                 **kwargs) -> None:
        super().__init__(module=module, device_ids=None, **kwargs)


def setup_cpu_distributed(cfg: Config) -> None:
    """Prepare a launched (``--launcher != none``) run on a CPU machine.

    Does nothing when CUDA is available or no launcher is used.  Otherwise
    it initialises the gloo process group from the launcher's environment
    variables and, unless the config names a model wrapper, wraps the model
    in :class:`CPUDistributedDataParallel`.

    Args:
        cfg (Config): The merged config, changed in place.
    """
    if cfg.get('launcher', 'none') == 'none' or torch.cuda.is_available():
        return
    if not dist.is_initialized():
        dist.init_process_group(backend='gloo')
    if cfg.get('model_wrapper_cfg') is None:
        cfg.model_wrapper_cfg = dict(
            type='mmir.CPUDistributedDataParallel',
            broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', False))
