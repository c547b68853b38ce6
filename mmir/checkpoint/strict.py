# Copyright (c) mmir contributors. All rights reserved.
"""Strict loading, with a report that names the keys at fault."""
import torch


def load_strict(module: torch.nn.Module, state_dict: dict,
                source: str) -> None:
    """Load weights; refuse missing keys, shape mismatches, poor matches.

    The module's own load hooks run (e.g. mmpretrain resizes position
    embeddings to the new grid).  Checkpoint keys the module lacks are
    allowed (a teacher cut short, a dropped final norm), but at least half
    of the checkpoint's tensors must be used.

    Args:
        module (torch.nn.Module): Destination.
        state_dict (dict): Weights under the module's names.
        source (str): The file the weights came from, for messages.

    Raises:
        KeyError: Naming the file and the missing, unexpected or
            mismatched keys.
    """
    name = type(module).__name__
    try:
        result = module.load_state_dict(state_dict, strict=False)
    except RuntimeError as error:
        raise KeyError(f'{source} does not fit {name}: {error}') from None
    missing, unexpected = result.missing_keys, result.unexpected_keys
    if missing:
        raise KeyError(f'{source} does not match {name}: missing keys '
                       f'{missing[:20]} ({len(missing)} in all); '
                       f'unexpected keys {unexpected[:20]} '
                       f'({len(unexpected)} in all)')
    if len(unexpected) > len(state_dict) / 2:
        raise KeyError(f'{source}: only {len(state_dict) - len(unexpected)} '
                       f'of {len(state_dict)} tensors match {name}; wrong '
                       f'file or key map? Unexpected: {unexpected[:20]}')
