# Copyright (c) mmir contributors. All rights reserved.
"""Random weights of a reference model, away from any initial value."""
import torch
import torch.nn as nn


def randomize_(model: nn.Module, seed: int) -> nn.Module:
    """Draw every parameter of ``model`` in place: norms near 1, matrices
    scaled by their fan-in, everything else (biases, tokens, position
    embeddings, scales) around 0; returns ``model``."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in model.named_parameters():
            noise = torch.randn(param.shape, generator=gen)
            if name.endswith('weight') and param.dim() == 1:  # norms
                param.copy_(1 + 0.2 * noise)
            elif param.dim() >= 2 and 'token' not in name \
                    and 'pos_embed' not in name:
                param.copy_(noise / param[0].numel()**0.5)
            else:
                param.copy_(0.3 * noise)
    return model
