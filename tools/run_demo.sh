#!/usr/bin/env bash
# Copyright (c) mmir contributors. All rights reserved.
# The UNIP chain on SynthIR, with the standard tools only (README's
# `make demo`):
#   1. generate SynthIR and its InfMix-style list (anew, in data/synthir);
#   2. pre-train a tiny MAE teacher;
#   3. distil it into the student with NMI-HAD (teacher layer by NMI);
#   4. fine-tune the student with LL-FPN + UPerNet, and the same model from
#      random initialisation;
#   5. test both and print their mIoU side by side.
# Usage: tools/run_demo.sh [WORK_DIR]   (default work_dirs/demo)
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-work_dirs/demo}
synthir=data/synthir
configs=configs/demo
teacher_cfg=$configs/mae_vit-128d-p8_1xb16-400i_synthir-64px.py
unip_cfg=$configs/unip_vit-tiny-p8_mae-auto_1xb16-300i_synthir-64px.py
seg_cfg=$configs/upernet-llfpn_vit-tiny-p8_unip-pre_1xb8-1k_synthir-soda-64x64.py

last() { cat "$1/last_checkpoint"; }
step() { echo "[demo] $*" >&2; }

# Always generated anew (seconds), so a tree left by an older generator
# never stands in for the current one.
step 'generating SynthIR'
rm -rf "$synthir"
python tools/dataset_converters/make_synthir.py --out-dir $synthir >&2
python tools/dataset_converters/infmix.py $synthir --synthir >&2
step 'pre-training the MAE teacher'
python tools/train.py $teacher_cfg --work-dir "$work/teacher" >&2
step 'NMI-HAD distillation'
python tools/train.py $unip_cfg --work-dir "$work/unip" \
    --cfg-options model.teacher_checkpoint="$(last "$work/teacher")" >&2
step 'fine-tuning the UNIP student'
python tools/train.py $seg_cfg --work-dir "$work/finetune" \
    --cfg-options model.backbone.init_cfg.checkpoint="$(last "$work/unip")" \
    >&2
step 'fine-tuning from random initialisation'
python tools/train.py $seg_cfg --work-dir "$work/scratch" \
    --cfg-options model.backbone.init_cfg=None >&2
miou() {
    python tools/test.py $seg_cfg "$(last "$1")" --work-dir "$1" |
        sed -n 's/^mIoU: //p'
}
pretrained=$(miou "$work/finetune")
scratch=$(miou "$work/scratch")
grep -h 'NMI-HAD teacher layer' "$work"/unip/*/*.log | sed 's/.* - //'
printf 'SynthIR test mIoU  UNIP pre-trained: %.2f  from scratch: %.2f\n' \
    "$pretrained" "$scratch"
