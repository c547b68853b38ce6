# Copyright (c) mmir contributors. All rights reserved.
"""Settings of the SynthIR transfer benchmark chosen on the validation
split: the candidate grid, the choice, and the settings file.

A setting is a small dict such as ``{'lr': 1e-3, 'layer_decay': 0.65}``;
:data:`OPTION_KEYS` maps its names to the configs' keys. An empty setting
means the downstream config's own values.
"""
import itertools
import json
from typing import Dict, List, Sequence, Tuple

Setting = Dict[str, float]

OPTION_KEYS = {
    'lr': 'optim_wrapper.optimizer.lr',
    'layer_decay': 'optim_wrapper.paramwise_cfg.layer_decay_rate',
}
# Learning rates searched per protocol: a linear probe (300 iterations of
# one 1x1 conv) needs larger ones than fine-tuning.
LRS = {'ft': (3e-4, 1e-3, 3e-3, 1e-2, 3e-2),
       'lp': (3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.)}
LAYER_DECAYS = (0.65, 0.9)


def candidates(protocol: str, layer_decay: bool,
               limit: int = 0) -> List[Setting]:
    """The grid searched for one row and protocol.

    Args:
        protocol (str): ``'ft'`` or ``'lp'``.
        layer_decay (bool): Whether the fine-tuning config decays the
            learning rate by layer (then the rate is searched as well;
            a frozen backbone has nothing to decay).
        limit (int): Keep only the first ``limit`` candidates (0: all),
            for smoke runs.

    Returns:
        List[Setting]: Candidates in a fixed order.
    """
    axes = {'lr': LRS[protocol]}
    if protocol == 'ft' and layer_decay:
        axes['layer_decay'] = LAYER_DECAYS
    grid = [dict(zip(axes, values))
            for values in itertools.product(*axes.values())]
    return grid[:limit] if limit else grid


def setting_name(setting: Setting) -> str:
    """A file-name-safe label such as ``lr0.001_layer_decay0.65``."""
    return '_'.join(f'{k}{v:g}' for k, v in sorted(setting.items())) or \
        'config'


def to_options(setting: Setting) -> Dict[str, float]:
    """``--cfg-options`` of a setting."""
    return {OPTION_KEYS[k]: v for k, v in setting.items()}


def choose(scores: Sequence[Tuple[Setting, float]]) -> Setting:
    """The candidate of highest validation mIoU; the first on a tie."""
    if not scores:
        raise ValueError('no candidate was evaluated')
    best = max(range(len(scores)), key=lambda i: (scores[i][1], -i))
    return dict(scores[best][0])


def settings_key(method: str, protocol: str) -> str:
    return f'{method}/{protocol}'


def read_settings(path: str) -> Dict[str, Setting]:
    """``{'<method>/<protocol>': setting}`` from a settings file."""
    with open(path) as file:
        settings = json.load(file)
    for key, setting in settings.items():
        unknown = set(setting) - set(OPTION_KEYS)
        if unknown:
            raise KeyError(f'{path}: {key} has unknown settings '
                           f'{sorted(unknown)}; known: {sorted(OPTION_KEYS)}')
    return settings


def write_settings(path: str, settings: Dict[str, Setting]) -> None:
    with open(path, 'w') as file:
        json.dump(dict(sorted(settings.items())), file, indent=1)
        file.write('\n')
