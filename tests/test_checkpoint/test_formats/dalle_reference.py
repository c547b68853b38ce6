# Copyright (c) mmir contributors. All rights reserved.
"""A reference of OpenAI's DALL-E dVAE in OpenAI's layout, for the
converter tests; it imports nothing of mmir or mmpretrain.

The classes carry the names of OpenAI's ``dall_e`` package
(:data:`DALL_E_MODULES` says which module holds which), and their
instances the attributes OpenAI's hold (sizes, ``device``,
``requires_grad``, ``post_gain``), so that a whole pickled instance names
the same globals as OpenAI's ``encoder.pkl`` and ``decoder.pkl``: the
``dall_e`` classes, ``torch.device`` and the ``torch.nn`` layers.
"""
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

EPS = 0.1  # logit-Laplace epsilon
CPU = torch.device('cpu')  # OpenAI's default device


class Conv2d(nn.Module):
    """``dall_e.utils.Conv2d``: parameters ``w`` and ``b``, 'same'
    padding, float32."""

    def __init__(self, n_in, n_out, kw, use_float16=True,
                 device=CPU, requires_grad=False):
        super().__init__()
        self.n_in, self.n_out, self.kw = n_in, n_out, kw
        self.use_float16 = use_float16
        self.device, self.requires_grad = device, requires_grad
        self.w = nn.Parameter(torch.zeros(n_out, n_in, kw, kw))
        self.b = nn.Parameter(torch.zeros(n_out))

    def forward(self, x):
        return F.conv2d(x, self.w, self.b, padding=(self.kw - 1) // 2)


def _residual(n_in, n_hid, n_out, kernels):
    """relu-conv four times, with OpenAI's names."""
    widths = [n_in, n_hid, n_hid, n_hid, n_out]
    entries = []
    for j in range(4):
        entries.append((f'relu_{j + 1}', nn.ReLU()))
        entries.append(
            (f'conv_{j + 1}', Conv2d(widths[j], widths[j + 1], kernels[j])))
    return nn.Sequential(OrderedDict(entries))


class _Block(nn.Module):
    """A block of OpenAI's layout: identity path (a 1x1 conv when the width
    changes) plus the residual path of ``KERNELS``, scaled by
    ``1 / n_layers ** 2``."""

    KERNELS = ()

    def __init__(self, n_in, n_out, n_layers, device=None,
                 requires_grad=False):
        super().__init__()
        self.n_in, self.n_out, self.n_layers = n_in, n_out, n_layers
        self.device, self.requires_grad = device, requires_grad
        self.n_hid = n_out // 4
        self.post_gain = 1 / (n_layers**2)
        self.id_path = Conv2d(n_in, n_out, 1) if n_in != n_out \
            else nn.Identity()
        self.res_path = _residual(n_in, self.n_hid, n_out, self.KERNELS)

    def forward(self, x):
        return self.id_path(x) + self.post_gain * self.res_path(x)


class EncoderBlock(_Block):
    """``dall_e.encoder.EncoderBlock``: residual kernels 3, 3, 3, 1."""

    KERNELS = (3, 3, 3, 1)


class DecoderBlock(_Block):
    """``dall_e.decoder.DecoderBlock``: residual kernels 1, 3, 3, 3."""

    KERNELS = (1, 3, 3, 3)


class Encoder(nn.Module):
    """``dall_e.encoder.Encoder``: 7x7 input conv, groups of widths 1, 2,
    4, 8 x ``n_hid`` with a 2x2 max-pool after the first three, relu and a
    1x1 conv to the token logits."""

    group_count = 4  # a class attribute in OpenAI's code too

    def __init__(self, n_hid=256, n_blk_per_group=2, input_channels=3,
                 vocab_size=8192, device=CPU,
                 requires_grad=False, use_mixed_precision=True):
        super().__init__()
        self.n_hid, self.n_blk_per_group = n_hid, n_blk_per_group
        self.input_channels, self.vocab_size = input_channels, vocab_size
        self.device, self.requires_grad = device, requires_grad
        self.use_mixed_precision = use_mixed_precision
        n_layers = self.group_count * n_blk_per_group
        groups = OrderedDict(input=Conv2d(input_channels, n_hid, 7))
        previous = n_hid
        for g, width in enumerate((n_hid, 2 * n_hid, 4 * n_hid, 8 * n_hid)):
            group = OrderedDict()
            for i in range(n_blk_per_group):
                group[f'block_{i + 1}'] = EncoderBlock(
                    previous if i == 0 else width, width, n_layers)
            if g < 3:
                group['pool'] = nn.MaxPool2d(kernel_size=2)
            groups[f'group_{g + 1}'] = nn.Sequential(group)
            previous = width
        groups['output'] = nn.Sequential(
            OrderedDict(
                relu=nn.ReLU(),
                conv=Conv2d(8 * n_hid, vocab_size, 1, use_float16=False)))
        self.blocks = nn.Sequential(groups)

    def forward(self, x):
        return self.blocks(x)


class Decoder(nn.Module):
    """``dall_e.decoder.Decoder``: 1x1 input conv from the tokens, groups
    of widths 8, 4, 2, 1 x ``n_hid`` with a nearest x2 upsampling after
    the first three, relu and a 1x1 conv to ``2 * output_channels``."""

    group_count = 4

    def __init__(self, n_init=128, n_hid=256, n_blk_per_group=2,
                 output_channels=3, vocab_size=8192,
                 device=CPU, requires_grad=False,
                 use_mixed_precision=True):
        super().__init__()
        self.n_init, self.n_hid = n_init, n_hid
        self.n_blk_per_group = n_blk_per_group
        self.output_channels, self.vocab_size = output_channels, vocab_size
        self.device, self.requires_grad = device, requires_grad
        self.use_mixed_precision = use_mixed_precision
        n_layers = self.group_count * n_blk_per_group
        groups = OrderedDict(
            input=Conv2d(vocab_size, n_init, 1, use_float16=False))
        previous = n_init
        for g, width in enumerate((8 * n_hid, 4 * n_hid, 2 * n_hid, n_hid)):
            group = OrderedDict()
            for i in range(n_blk_per_group):
                group[f'block_{i + 1}'] = DecoderBlock(
                    previous if i == 0 else width, width, n_layers)
            if g < 3:
                group['upsample'] = nn.Upsample(
                    scale_factor=2, mode='nearest')
            groups[f'group_{g + 1}'] = nn.Sequential(group)
            previous = width
        groups['output'] = nn.Sequential(
            OrderedDict(
                relu=nn.ReLU(), conv=Conv2d(n_hid, 2 * output_channels, 1)))
        self.blocks = nn.Sequential(groups)

    def forward(self, x):
        return self.blocks(x)


def map_pixels(x):
    """``dall_e.utils.map_pixels``."""
    return (1 - 2 * EPS) * x + EPS


def unmap_pixels(x):
    """``dall_e.utils.unmap_pixels``."""
    return torch.clamp((x - EPS) / (1 - 2 * EPS), 0, 1)


def reference_token_logits(encoder, images):
    """OpenAI's usage: the encoder on the mapped pixels."""
    return encoder(map_pixels(images))


def reference_decode(decoder, token_ids):
    """OpenAI's usage (BEiT's ``Dalle_VAE.decode``): the decoder on the
    one-hot map, sigmoid of the first three statistics, unmapped."""
    one_hot = F.one_hot(token_ids, decoder.vocab_size)
    stats = decoder(one_hot.permute(0, 3, 1, 2).float()).float()
    return unmap_pixels(torch.sigmoid(stats[:, :3]))


# Where OpenAI's package defines each class.
DALL_E_MODULES = {
    'dall_e.utils': (Conv2d, ),
    'dall_e.encoder': (EncoderBlock, Encoder),
    'dall_e.decoder': (DecoderBlock, Decoder),
}
