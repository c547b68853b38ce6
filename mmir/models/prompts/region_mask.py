# Copyright (c) mmir contributors. All rights reserved.
"""AdaViPro's mask generator: where on the image the prompt applies."""
from typing import Optional, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_activation_layer
from mmengine.model import BaseModule

from mmir.registry import MODELS


@MODELS.register_module()
class RegionMaskGenerator(BaseModule):
    """Per-region on/off decisions for the prompt, from an edge map.

    The mask generator of `AdaViPro <https://arxiv.org/abs/2403.13282>`_:
    the convergence module F_c (a conv, ``in_channels`` -> ``embed_dims``,
    padding keeping the size) and the policy module F_p (a conv with
    kernel = stride = ``region_size``, ``embed_dims`` -> 2) turn an edge
    map of size H x W into two logits per region of an (H / r) x (W / r)
    grid; class 1 means "prompt on".  The decisions are

    - in training, a Gumbel-Softmax sample over the two classes at the
      temperature ``tau``: with ``hard=True`` the one-hot sample in the
      forward pass and the gradient of the relaxed softmax in the backward
      pass (straight-through), with ``hard=False`` the relaxed value in
      (0, 1);
    - in eval mode, the argmax of the logits: no noise, deterministic.

    :meth:`forward` dilates them to pixels (nearest upsampling by the
    region size), the mask m_p that multiplies the prompt template.

    The temperature is the persistent buffer ``tau``: it is saved in
    checkpoints, so a resumed run continues with it.  It starts at the
    configured ``tau`` (kept as :attr:`initial_tau`) and is decayed by
    :class:`~mmir.engine.hooks.GumbelTemperatureHook`, never below
    ``min_tau``.

    The kernel sizes, the stride and the activation between F_c and F_p
    are not given by the paper (``[U]`` in the spec); a 3x3 F_c, F_p with
    kernel = stride = region size, and a ReLU are this implementation's
    defaults.

    Args:
        in_channels (int): Channels of the edge map. Defaults to 1.
        embed_dims (int): Channels of F_c. Defaults to 64.
        region_size (int): Side r of a square region in pixels.
            Defaults to 32.
        convergence_kernel (int): Odd kernel size of F_c. Defaults to 3.
        tau (float): Initial Gumbel-Softmax temperature. Defaults to 5.0.
        min_tau (float): Floor of the temperature schedule.
            Defaults to 1e-2.
        hard (bool): Straight-through one-hot samples in training, else
            the relaxed ones. Defaults to True.
        act_cfg (dict, optional): Activation between F_c and F_p; None for
            none. Defaults to ``dict(type='ReLU')``.
        init_cfg (dict | list, optional): mmengine initialisation config.
            Defaults to None.
    """

    def __init__(self,
                 in_channels: int = 1,
                 embed_dims: int = 64,
                 region_size: int = 32,
                 convergence_kernel: int = 3,
                 tau: float = 5.0,
                 min_tau: float = 1e-2,
                 hard: bool = True,
                 act_cfg: Optional[dict] = dict(type='ReLU'),
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if convergence_kernel < 1 or convergence_kernel % 2 == 0:
            raise ValueError(f'convergence_kernel must be a positive odd '
                             f'number, got {convergence_kernel}')
        if not 0 < min_tau <= tau:
            raise ValueError(f'need 0 < min_tau <= tau, got min_tau='
                             f'{min_tau}, tau={tau}')
        self.region_size = region_size
        self.initial_tau = float(tau)
        self.min_tau = float(min_tau)
        self.hard = hard
        self.convergence = nn.Conv2d(
            in_channels,
            embed_dims,
            convergence_kernel,
            padding=convergence_kernel // 2)
        self.act = build_activation_layer(
            act_cfg) if act_cfg else nn.Identity()
        self.policy = nn.Conv2d(
            embed_dims, 2, kernel_size=region_size, stride=region_size)
        self.register_buffer('tau', torch.tensor(self.initial_tau))

    def region_logits(self, edges: torch.Tensor) -> torch.Tensor:
        """The two logits (off, on) of each region.

        Args:
            edges (torch.Tensor): Edge map, shape (B, in_channels, H, W),
                H and W multiples of the region size.

        Returns:
            torch.Tensor: Logits, shape (B, 2, H / r, W / r).

        Raises:
            ValueError: If H or W is not a multiple of the region size.
        """
        height, width = edges.shape[-2:]
        if height % self.region_size or width % self.region_size:
            raise ValueError(f'RegionMaskGenerator needs H and W divisible '
                             f'by region_size={self.region_size}, got '
                             f'{height}x{width}')
        return self.policy(self.act(self.convergence(edges)))

    def decisions(self, edges: torch.Tensor) -> torch.Tensor:
        """Whether the prompt is on in each region (see the class doc).

        Args:
            edges (torch.Tensor): Edge map, shape (B, in_channels, H, W).

        Returns:
            torch.Tensor: Decisions, shape (B, 1, H / r, W / r): in {0, 1}
            in eval mode and with ``hard``, in (0, 1) otherwise.
        """
        logits = self.region_logits(edges)
        if self.training:
            sample = F.gumbel_softmax(
                logits, tau=float(self.tau), hard=self.hard, dim=1)
            return sample[:, 1:]
        return logits.argmax(dim=1, keepdim=True).to(logits.dtype)

    def forward(self, edges: torch.Tensor) -> torch.Tensor:
        """The pixel mask: the decisions dilated by the region size.

        Args:
            edges (torch.Tensor): Edge map, shape (B, in_channels, H, W).

        Returns:
            torch.Tensor: Mask, shape (B, 1, H, W).
        """
        regions = self.decisions(edges)
        return regions.repeat_interleave(
            self.region_size, dim=2).repeat_interleave(
                self.region_size, dim=3)
