# Copyright (c) mmir contributors. All rights reserved.
"""SynthIR transfer benchmark: what pre-training buys with few labels.

Protocol (``mmir.datasets.synthir.transfer``): a pool of unlabelled SynthIR
frames for pre-training, a labelled tree with disjoint seeds split into
label budgets (nested), a validation split and a fixed test split.

Chain, with the standard tools (``tools/train.py``, ``tools/test.py``):

1. pre-train on the pool what the chosen methods need: the demo MAE
   teacher, UNIP (NMI-HAD from that teacher, layer by NMI), PAD
   (adapters on that teacher), iTPN (the demo HiViT and its pyramid
   from scratch, pixel only or pixel + MFM) and CIM (the demo infrared
   tokenizer, then the 128-d ViT enhancer from scratch, ResPix or
   RevDet);
2. print the teacher's per-layer attention NMI and plot it
   (``tools/analysis_tools/attention_nmi.py`` on validation frames);
3. for every method, protocol (``ft``: fine-tuning with UPerNet; ``lp``:
   linear probing of the frozen backbone), label budget and seed, train
   on ``train_<budget>.txt`` (validation on ``val.txt``) and test on
   ``test.txt``;
4. write ``table.md`` (mean ± std over seeds), ``results.json`` and
   ``transfer.png`` (mIoU against label budget) under the work dir, and
   print the table.

Every finished step leaves a file, and a rerun skips it, so an interrupted
run resumes where it stopped (an interrupted training resumes from its
last checkpoint).
"""
import argparse
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Dict, List, Optional

from mmengine.config import Config

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)

from mmir.datasets.synthir.transfer import (  # noqa: E402
    TransferProtocol, make_transfer_data, write_splits)
from mmir.utils.transfer_results import (markdown_table, plot,  # noqa: E402
                                         read_results, run_name, summarise,
                                         write_result)
from mmir.utils.transfer_tuning import (Setting, candidates,  # noqa: E402
                                        choose, read_settings, setting_name,
                                        settings_key, to_options,
                                        write_settings)



@dataclass(frozen=True)
class PretrainStep:
    """A pre-training on the pool: its config, the argument that sets its
    iterations, other options, and the earlier steps whose checkpoints it
    reads, as ``(step, option)`` pairs (UNIP and PAD read the MAE
    teacher's, CIM its tokenizer's)."""

    config: str
    iters: str
    options: tuple = ()
    inputs: tuple = ()


ITPN_DEMO = 'configs/itpn/itpn-mfm_hivit-demo-p8_1xb16-400i_synthir-64px.py'
CIM_DEMO = 'configs/cim/cim-{}_vit-128d-p8_1xb16-400i_synthir-64px.py'
CIM_TOKENIZER = ('configs/cim/'
                 'vq-tokenizer_conv-demo-d4-v256_1xb16-300i_synthir-32px.py')
TOKENIZER_INPUT = (('cim-tokenizer', 'model.tokenizer.init_cfg.checkpoint'),)
# In order: a step comes after the steps it reads.
PRETRAIN = {
    'teacher':
    PretrainStep('configs/demo/mae_vit-128d-p8_1xb16-400i_synthir-64px.py',
                 'teacher_iters'),
    'unip':
    PretrainStep(
        'configs/demo/unip_vit-tiny-p8_mae-auto_1xb16-300i_synthir-64px.py',
        'unip_iters',
        inputs=(('teacher', 'model.teacher_checkpoint'), )),
    'pad':
    PretrainStep(
        'configs/pad/pad_vit-128d-p8_demo-mae-pre_1xb16-200i_synthir-64px.py',
        'pad_iters',
        inputs=(('teacher', 'model.init_cfg.checkpoint'), )),
    'itpn-pixel':
    PretrainStep(ITPN_DEMO, 'itpn_iters', (('model.mfm_head', None), )),
    'itpn-mfm':
    PretrainStep(ITPN_DEMO, 'itpn_iters'),
    'cim-tokenizer':
    PretrainStep(CIM_TOKENIZER, 'cim_tokenizer_iters'),
    'cim-respix':
    PretrainStep(CIM_DEMO.format('respix'), 'cim_iters',
                 inputs=TOKENIZER_INPUT),
    'cim-revdet':
    PretrainStep(CIM_DEMO.format('revdet'), 'cim_iters',
                 inputs=TOKENIZER_INPUT),
}
DOWNSTREAM = {
    ('ft', '64d'): 'configs/demo/'
    'upernet-llfpn_vit-tiny-p8_unip-pre_1xb8-1k_synthir-soda-64x64.py',
    ('ft', '128d'): 'configs/pad/benchmarks/mmseg/'
    'upernet_adapter-vit-128d-p8_pad-demo-pre_1xb8-1k_synthir-soda-64x64.py',
    ('lp', '64d'): 'configs/synthir_transfer/'
    'linear_vit-64d-p8_1xb8-300i_synthir-transfer-64x64.py',
    ('lp', '128d'): 'configs/synthir_transfer/'
    'linear_vit-128d-p8_1xb8-300i_synthir-transfer-64x64.py',
    ('ft', 'hivit'): 'configs/itpn/benchmarks/mmseg/'
    'upernet_itpn-hivit-demo-p8_itpn-demo-pre_1xb8-1k_synthir-soda-64x64.py',
    ('lp', 'hivit'): 'configs/synthir_transfer/'
    'linear_hivit-demo-p8_1xb8-300i_synthir-transfer-64x64.py',
}
SETTINGS = 'configs/synthir_transfer/settings.json'


@dataclass(frozen=True)
class Method:
    """A row: backbone size, pre-trained weights, adapters or not."""

    name: str
    size: str
    weights: Optional[str]
    adapters: bool = False


METHODS = [
    Method('random-64d', '64d', None),
    Method('unip', '64d', 'unip'),
    Method('random-128d', '128d', None),
    Method('mae', '128d', 'teacher'),
    Method('pad', '128d', 'pad', adapters=True),
    Method('random-hivit', 'hivit', None),
    Method('itpn-pixel', 'hivit', 'itpn-pixel'),
    Method('itpn-mfm', 'hivit', 'itpn-mfm'),
    Method('cim-respix', '128d', 'cim-respix'),
    Method('cim-revdet', '128d', 'cim-revdet'),
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--work-dir', default='work_dirs/synthir_transfer')
    parser.add_argument(
        '--methods',
        nargs='+',
        default=[m.name for m in METHODS],
        choices=[m.name for m in METHODS])
    parser.add_argument('--protocols', nargs='+', default=['ft', 'lp'],
                        choices=['ft', 'lp'])
    parser.add_argument('--budgets', nargs='+', type=int, default=[16, 64])
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    parser.add_argument('--pool-images', type=int, default=2000)
    parser.add_argument('--val-images', type=int, default=64)
    parser.add_argument('--test-images', type=int, default=256)
    parser.add_argument('--teacher-iters', type=int, default=1600)
    parser.add_argument('--unip-iters', type=int, default=800)
    parser.add_argument('--pad-iters', type=int, default=800)
    parser.add_argument('--itpn-iters', type=int, default=1600)
    parser.add_argument('--cim-tokenizer-iters', type=int, default=300)
    parser.add_argument('--cim-iters', type=int, default=1600)
    parser.add_argument('--ft-iters', type=int, default=500)
    parser.add_argument('--lp-iters', type=int, default=300)
    parser.add_argument(
        '--tune',
        action='store_true',
        help='choose each row\'s settings on val.txt (smallest budget, '
        'first seed) and use them, instead of reading --settings')
    parser.add_argument(
        '--settings',
        default=SETTINGS,
        help='the settings chosen by an earlier --tune (default: the '
        'committed choice)')
    parser.add_argument(
        '--tiny',
        action='store_true',
        help='a smoke run: tiny data and 2 iterations per step')
    args = parser.parse_args()
    args.grid_limit = 0
    if args.tiny:
        args.grid_limit = 2
        args.pool_images, args.val_images, args.test_images = 24, 8, 8
        for step in ('teacher', 'unip', 'pad', 'itpn', 'cim_tokenizer',
                     'cim', 'ft', 'lp'):
            setattr(args, f'{step}_iters', 2)
    return args


def log(message: str) -> None:
    print(f'[synthir_transfer] {message}', file=sys.stderr, flush=True)


@lru_cache(maxsize=None)
def _config(config: str) -> Config:
    """``config``, read once."""
    return Config.fromfile(osp.join(REPO, config))


def decays_by_layer(config: str) -> bool:
    """Whether ``config`` decays the learning rate by layer."""
    paramwise = _config(config).optim_wrapper.get('paramwise_cfg') or {}
    return 'layer_decay_rate' in paramwise


def schedule_options(config: str, iters: int) -> Dict[str, object]:
    """``--cfg-options`` that train ``config`` for ``iters`` iterations,
    its schedulers' bounds scaled in proportion and one checkpoint at the
    end."""
    train_cfg = _config(config).train_cfg
    schedulers = _config(config).param_scheduler
    old = train_cfg.max_iters
    options = {
        'train_cfg.max_iters': iters,
        'default_hooks.checkpoint.interval': iters
    }
    if 'val_interval' in train_cfg:
        options['train_cfg.val_interval'] = iters
    for i, scheduler in enumerate(schedulers):
        for key in ('begin', 'end', 'T_max'):
            if key in scheduler:
                value = max(round(scheduler[key] * iters / old), 1)
                options[f'param_scheduler.{i}.{key}'] = min(value, iters)
    return options


def run_tool(args: List[str], log_file: str) -> str:
    """Run ``python <args>`` from the repository; its stdout, or exit."""
    with open(log_file, 'a') as err:
        proc = subprocess.run([sys.executable, *args],
                              cwd=REPO,
                              stdout=subprocess.PIPE,
                              stderr=err,
                              text=True)
    if proc.returncode != 0:
        sys.exit(f'synthir_transfer: {args[0]} failed, see {log_file}')
    return proc.stdout


def options_list(options: Dict[str, object]) -> List[str]:
    return ['--cfg-options'] + [f'{k}={v}' for k, v in options.items()]


def last_checkpoint(work_dir: str) -> str:
    with open(osp.join(work_dir, 'last_checkpoint')) as file:
        return file.read().strip()


def train(config: str, work_dir: str, options: Dict[str, object]) -> str:
    """Train (resuming if interrupted) unless done; the final checkpoint."""
    done = osp.join(work_dir, 'done')
    if not osp.isfile(done):
        os.makedirs(work_dir, exist_ok=True)
        run_tool(['tools/train.py', config, '--work-dir', work_dir,
                  '--resume'] + options_list(options),
                 osp.join(work_dir, 'tool.log'))
        open(done, 'w').close()
    return last_checkpoint(work_dir)


def required_steps(weights: set) -> List[str]:
    """The steps of :data:`PRETRAIN` that give ``weights`` (step names),
    the MAE teacher (its attention NMI is always printed) and every step
    they read, in :data:`PRETRAIN` order."""
    needed = set(weights) | {'teacher'}
    for name in reversed(list(PRETRAIN)):
        if name in needed:
            needed.update(step for step, _ in PRETRAIN[name].inputs)
    return [name for name in PRETRAIN if name in needed]


def pretrain(args: argparse.Namespace, pool: str,
             weights: set) -> Dict[str, str]:
    """Pre-train what the methods need (:func:`required_steps`); their
    checkpoints."""
    root = osp.join(args.work_dir, 'pretrain')
    checkpoints = {}
    for name in required_steps(weights):
        step = PRETRAIN[name]
        log(f'pre-training {name}')
        options = {'train_dataloader.dataset.data_root': pool + '/'}
        options.update(
            schedule_options(step.config, getattr(args, step.iters)))
        options.update(step.options)
        for source, option in step.inputs:
            options[option] = checkpoints[source]
        checkpoints[name] = train(step.config, osp.join(root, name),
                                  options)
    return checkpoints


def teacher_nmi(args: argparse.Namespace, labelled: str,
                checkpoint: str) -> List[float]:
    """The teacher's per-layer attention NMI on validation frames."""
    out = osp.join(args.work_dir, 'teacher_nmi')
    result = osp.join(out, 'nmi.json')
    if not osp.isfile(result):
        os.makedirs(out, exist_ok=True)
        run_tool([
            'tools/analysis_tools/attention_nmi.py',
            PRETRAIN['teacher'].config,
            checkpoint,
            osp.join(labelled, 'JPEGImages'), '--num-images', '32',
            '--img-size', '64', '--prefix', 'backbone.', '--out-dir', out
        ], osp.join(out, 'tool.log'))
    with open(result) as file:
        return next(iter(json.load(file)['nmi'].values()))


@dataclass(frozen=True)
class Run:
    """One training and its evaluation: a row, protocol, budget, seed and
    setting."""

    method: Method
    protocol: str
    budget: int
    seed: int
    setting: Setting

    @property
    def config(self) -> str:
        return DOWNSTREAM[self.protocol, self.method.size]


def downstream_options(run: Run, labelled: str, checkpoints: Dict[str, str],
                       args: argparse.Namespace) -> Dict[str, object]:
    options = schedule_options(
        run.config, args.ft_iters if run.protocol == 'ft' else args.lp_iters)
    options.update({
        'randomness.seed': run.seed,
        'train_dataloader.dataset.data_root': labelled,
        'train_dataloader.dataset.ann_file': f'train_{run.budget}.txt',
        'val_dataloader.dataset.data_root': labelled,
        'val_dataloader.dataset.ann_file': 'val.txt',
    })
    options.update(to_options(run.setting))
    method = run.method
    if method.size == '128d' and not method.adapters:
        options['model.backbone.adapter_layers'] = '[]'
    if method.weights is None:
        options['model.backbone.init_cfg'] = None
    else:
        options['model.backbone.init_cfg.checkpoint'] = checkpoints[
            method.weights]
    return options


def evaluate(config: str, checkpoint: str, work_dir: str, labelled: str,
             split: str, options: Dict[str, object]) -> float:
    """mIoU of ``checkpoint`` on the split file ``split``."""
    data = {
        'test_dataloader.dataset.data_root': labelled,
        'test_dataloader.dataset.ann_file': split
    }
    keep = {k: v for k, v in options.items() if k.startswith('model.')}
    out = run_tool(['tools/test.py', config, checkpoint, '--work-dir',
                    work_dir] + options_list(dict(keep, **data)),
                   osp.join(work_dir, 'tool.log'))
    lines = [line for line in out.splitlines() if line.startswith('mIoU: ')]
    if not lines:
        sys.exit(f'synthir_transfer: no mIoU from {work_dir}')
    return float(lines[-1].split()[1])


def train_and_evaluate(run: Run, split: str, result: str, work: str,
                       labelled: str, checkpoints: Dict[str, str],
                       args: argparse.Namespace) -> None:
    """Train ``run`` and write its mIoU on ``split`` to ``result``, unless
    ``result`` holds it already with the same setting; a result of another
    setting is trained again from nothing."""
    if osp.isfile(result):
        if read_results([result])[0].get('settings', {}) == run.setting:
            return
        shutil.rmtree(work, ignore_errors=True)
    log(f'{osp.basename(work)}')
    options = downstream_options(run, labelled, checkpoints, args)
    checkpoint = train(run.config, work, options)
    miou = evaluate(run.config, checkpoint, work, labelled, split, options)
    write_result(result, run.method.name, run.protocol, run.budget,
                 run.seed, miou, run.setting)


def tune(args: argparse.Namespace, methods: List[Method], labelled: str,
         checkpoints: Dict[str, str]) -> Dict[str, Setting]:
    """Every candidate setting of every row, trained on the smallest budget
    with the first seed and scored on ``val.txt``; the choices.

    Writes ``tuning.md`` (every score) and ``settings.json`` (the choices,
    the format of ``--settings``) under the work dir.
    """
    root = osp.join(args.work_dir, 'tuning')
    os.makedirs(root, exist_ok=True)
    budget, seed = min(args.budgets), args.seeds[0]
    chosen, lines = {}, []
    for proto in args.protocols:
        for method in methods:
            config = DOWNSTREAM[proto, method.size]
            scores = []
            for setting in candidates(proto, decays_by_layer(config),
                                      args.grid_limit):
                run = Run(method, proto, budget, seed, setting)
                name = (run_name(method.name, proto, budget, seed) + '_' +
                        setting_name(setting))
                result = osp.join(root, name + '.json')
                train_and_evaluate(run, 'val.txt', result,
                                   osp.join(root, 'runs', name), labelled,
                                   checkpoints, args)
                scores.append((setting, read_results([result])[0]['miou']))
            best = choose(scores)
            chosen[settings_key(method.name, proto)] = best
            lines += [
                f'| {method.name} | {proto} | {setting_name(s)} | '
                f'{miou:.2f} | {"yes" if s == best else ""} |'
                for s, miou in scores
            ]
    with open(osp.join(root, 'tuning.md'), 'w') as file:
        file.write(f'Validation mIoU, {budget} labels, seed {seed}\n\n'
                   '| method | protocol | setting | val mIoU | chosen |\n'
                   '| --- | --- | --- | ---: | --- |\n' + '\n'.join(lines) +
                   '\n')
    write_settings(osp.join(args.work_dir, 'settings.json'), chosen)
    return chosen


def row_settings(args: argparse.Namespace, methods: List[Method],
                 labelled: str,
                 checkpoints: Dict[str, str]) -> Dict[str, Setting]:
    """The settings of every row: searched now (``--tune``) or read from
    ``--settings``; a row the file does not name keeps its config's."""
    if args.tune:
        return tune(args, methods, labelled, checkpoints)
    path = osp.join(REPO, args.settings)
    settings = read_settings(path) if osp.isfile(path) else {}
    for method in methods:
        for proto in args.protocols:
            if settings_key(method.name, proto) not in settings:
                log(f'{settings_key(method.name, proto)}: not in '
                    f'{args.settings}, the config\'s settings')
    return settings


def main() -> None:
    args = parse_args()
    os.makedirs(args.work_dir, exist_ok=True)
    protocol = TransferProtocol(
        pool_images=args.pool_images,
        val=args.val_images,
        test=args.test_images,
        budgets=tuple(sorted(args.budgets)))
    data_file = osp.join(args.work_dir, 'data.json')
    # The frames do not depend on the budgets, only the split files do.
    frames = {k: v for k, v in asdict(protocol).items() if k != 'budgets'}
    if not osp.isfile(data_file):
        log('generating the pool and the labelled splits')
        data = make_transfer_data(osp.join(args.work_dir, 'data'), protocol)
        data['protocol'] = frames
        with open(data_file, 'w') as file:
            json.dump(data, file)
    with open(data_file) as file:
        data = json.load(file)
    if data['protocol'] != frames:
        sys.exit(f'synthir_transfer: {args.work_dir} holds data of another '
                 f'protocol ({data["protocol"]}); use another --work-dir')
    write_splits(data['labelled'], protocol)
    labelled = data['labelled']
    methods = [m for m in METHODS if m.name in args.methods]
    checkpoints = pretrain(args, data['pool'],
                           {m.weights for m in methods})
    nmi = teacher_nmi(args, labelled, checkpoints['teacher'])
    print('teacher attention NMI by layer: ' +
          ', '.join(f'{i + 1}: {v:.4f}' for i, v in enumerate(nmi)))
    settings = row_settings(args, methods, labelled, checkpoints)
    results = osp.join(args.work_dir, 'results')
    os.makedirs(results, exist_ok=True)
    paths = []
    # Seed-major: an interrupted run has whole tables of its first seeds.
    for seed in args.seeds:
        for budget in sorted(args.budgets):
            for proto in args.protocols:
                for method in methods:
                    name = run_name(method.name, proto, budget, seed)
                    paths.append(osp.join(results, name + '.json'))
                    setting = settings.get(
                        settings_key(method.name, proto), {})
                    train_and_evaluate(
                        Run(method, proto, budget, seed, setting),
                        'test.txt', paths[-1],
                        osp.join(args.work_dir, 'runs', name), labelled,
                        checkpoints, args)
    runs = read_results(paths)
    summary = summarise(runs)
    names = [m.name for m in methods]
    table = markdown_table(summary, names, sorted(args.budgets),
                           args.protocols)
    with open(osp.join(args.work_dir, 'table.md'), 'w') as file:
        file.write(table)
    with open(osp.join(args.work_dir, 'results.json'), 'w') as file:
        json.dump(dict(teacher_nmi=nmi, runs=runs), file, indent=1)
    plot(summary, names, sorted(args.budgets),
         osp.join(args.work_dir, 'transfer.png'), args.protocols,
         'SynthIR transfer: test mIoU, mean ± std over seeds')
    print(table, end='')


if __name__ == '__main__':
    main()
