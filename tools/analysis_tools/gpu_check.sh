#!/usr/bin/env bash
# The GPU figures docs/benchmarks.md still lacks, in about 5 minutes on one
# GPU, written to one file:
#   tools/analysis_tools/gpu_check.sh [OUT_FILE]    (default gpu_check.md)
# 1. benchmark_train.py on the MS-COCO MLIC model (ResNet-101, 448 px, batch
#    32 as in configs/mlic/mlic_coco.py per GPU) with --amp: without
#    channels-last (the recipe turns it on), with it, and both with
#    --compile;
# 2. a MultiDigits training of one 50-iteration epoch, then a second epoch
#    resumed from its checkpoint (the resume path on a GPU).
# Environment overrides, for a dry run elsewhere: CONFIG
# (configs/mlic/mlic_coco.py, the model of step 1), DEVICE (cuda), SHAPE
# ("448 448"), BATCH (32), ITERS (20), WARMUP (5), DIGITS_ITERS (50),
# DIGITS_TEST (512 test scenes), SKIP_COMPILE (unset; 1 leaves out the two
# --compile rows).
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-gpu_check.md}
CONFIG=${CONFIG:-configs/mlic/mlic_coco.py}
DEVICE=${DEVICE:-cuda}
SHAPE=${SHAPE:-"448 448"}
BATCH=${BATCH:-32}
ITERS=${ITERS:-20}
WARMUP=${WARMUP:-5}
DIGITS_ITERS=${DIGITS_ITERS:-50}
DIGITS_TEST=${DIGITS_TEST:-512}
WORK=$(mktemp -d)
status=0

{
    echo "# gpu_check.sh, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    python -c 'import torch; print("torch", torch.__version__, "| device:", torch.cuda.get_device_name() if torch.cuda.is_available() else "no CUDA")'
    echo
    echo "## benchmark_train.py, $CONFIG, --amp"
} > "$OUT"

NCL="--cfg-options channels_last=False"
SETS=("$NCL" "--channels-last")
[ -z "${SKIP_COMPILE:-}" ] && SETS+=("--compile $NCL" "--channels-last --compile")
for switches in "${SETS[@]}"; do
    echo >> "$OUT"
    # shellcheck disable=SC2086
    if ! python tools/analysis_tools/benchmark_train.py "$CONFIG" \
        --device "$DEVICE" --shape $SHAPE --batch-size "$BATCH" \
        --iters "$ITERS" --warmup "$WARMUP" --amp $switches \
        > "$WORK/bench.log" 2>&1; then
        status=1
        echo "FAILED: --amp $switches" >> "$OUT"
    fi
    grep -E '^(configs|\|)' "$WORK/bench.log" >> "$OUT" || tail -5 "$WORK/bench.log" >> "$OUT"
done

echo -e "\n## MultiDigits: one epoch of $DIGITS_ITERS iterations, then a second resumed" >> "$OUT"
COMMON=()
for loader in train_dataloader val_dataloader test_dataloader; do
    COMMON+=("$loader.dataset.data_root=$WORK/data"
             "$loader.dataset.num_train=$((64 * DIGITS_ITERS))"
             "$loader.dataset.num_test=$DIGITS_TEST")
done
for epochs in 1 2; do
    resume=()
    [ "$epochs" = 2 ] && resume=(--resume)
    start=$(date +%s)
    if python tools/train.py configs/mlic/mlic_multidigits.py --work-dir "$WORK/digits" \
        "${resume[@]}" --cfg-options "train_cfg.max_epochs=$epochs" "${COMMON[@]}" \
        > "$WORK/train.log" 2>&1; then
        echo "- epoch $epochs$([ "$epochs" = 2 ] && echo ', resumed'): $(( $(date +%s) - start )) s (data generation included in the first), $(grep -o 'multi-label/mAP: [0-9.]*' "$WORK/train.log" | tail -1)" >> "$OUT"
    else
        status=1
        echo "FAILED at epoch $epochs:" >> "$OUT"
        tail -20 "$WORK/train.log" >> "$OUT"
    fi
done
rm -rf "$WORK"
echo "wrote $OUT"
exit $status
