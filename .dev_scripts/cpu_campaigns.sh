#!/usr/bin/env bash
# The long CPU campaigns behind the docs' tables, each from the fixed
# checkout its page names, one after the other (one campaign at a time):
#   1. the MultiGlyphs protocol (docs/benchmarks.md),
#      multiglyphs_protocol.py campaign, from commit PROTOCOL_COMMIT;
#   2. its amendment 2 (docs/benchmarks.md), multiglyphs_protocol.py amend
#      from commit AMENDMENT_COMMIT, training with PROTOCOL_COMMIT's code,
#      into the protocol's runs folder (amended/);
#   3. the partial-label table (docs/partial_labels.md),
#      compare_methods.py --benchmark multiglyphs_partial, two runs at a time
#      with one thread each, the full, 10 %, 50 % and single-positive rows
#      first, from commit PARTIAL_COMMIT;
#   4. its Query2Label-style rows (docs/partial_labels.md), the same way
#      from commit PARTIAL_Q2L_COMMIT (which added them), into the same
#      runs folder.
# Both resume where they stopped: run this again after a session ends.
# A fresh machine has no runs folders: `run` first restores every finished
# run (result.json, log, tuning choices, plan) committed under this
# checkout's benchmarks/, so that nothing finished is trained again; only
# runs that were under way when the machine went start over.
#
#   .dev_scripts/cpu_campaigns.sh run  [ROOT]   # in the background, e.g.
#       (setsid nohup .dev_scripts/cpu_campaigns.sh run >> campaigns.log 2>&1 &)
#   .dev_scripts/cpu_campaigns.sh sync [ROOT]
#   .dev_scripts/cpu_campaigns.sh restore [ROOT]  # what `run` does first
#
# ROOT (default: the folder above this checkout) holds the checkouts
# (campaign_protocol/, campaign_amendment/, campaign_partial/,
# campaign_partial_q2l/, made with
# `git worktree add` when missing) and the runs (protocol_runs/,
# partial_runs/). `sync` copies the
# finished runs' result.json and logs (and the protocol's tuning records
# and tables) into this checkout's benchmarks/, rewrites the docs' tables
# with this checkout's tools and, while the amendment trains, writes its
# progress (what is under way and left) into docs/benchmarks.md; commit what
# it changed.
set -euo pipefail

PROTOCOL_COMMIT=32e9e76
AMENDMENT_COMMIT=ee8afb5
PARTIAL_COMMIT=99128ad
PARTIAL_Q2L_COMMIT=fda5579

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ACTION=${1:-}
ROOT=$(cd "${2:-$REPO/..}" && pwd)
PROTOCOL_RUNS=$ROOT/protocol_runs
PARTIAL_RUNS=$ROOT/partial_runs

checkout() {  # folder commit
  if [ ! -d "$1" ]; then
    git -C "$REPO" worktree add --detach "$1" "$2"
  fi
  local at
  at=$(git -C "$1" rev-parse --short=7 HEAD)
  if [ "$at" != "$2" ]; then
    echo "error: $1 is at $at, not at the campaign's commit $2" >&2
    exit 1
  fi
}

copy_finished() {  # from to keep|overwrite
  # Every finished run's record (result.json; the protocol's tuning
  # choice.json and plan.json) with the run's log beside its folder.
  # `keep` (restore) leaves what `to` already has; `overwrite` (sync)
  # replaces it. Runs still under way have no result.json: never copied.
  [ -d "$1" ] || return 0
  mkdir -p "$2"
  (cd "$1" && find . \( -name result.json -o -name choice.json -o \
    -name plan.json \)) | while read -r f; do
    d=$(dirname "$f")
    for src in "$f" "$d.log"; do
      [ -f "$1/$src" ] || continue
      if [ "$3" = overwrite ] || [ ! -f "$2/$src" ]; then
        mkdir -p "$2/$(dirname "$src")"
        cp "$1/$src" "$2/$src"
        if [ "$3" = keep ]; then echo "restored $2/$src from $1"; fi
      fi
    done
  done
}

restore() {
  copy_finished "$REPO/benchmarks/multiglyphs_protocol" "$PROTOCOL_RUNS" keep
  copy_finished "$REPO/benchmarks/multiglyphs_partial" "$PARTIAL_RUNS" keep
}

case $ACTION in
  restore)
    restore
    ;;
  run)
    restore
    checkout "$ROOT/campaign_protocol" $PROTOCOL_COMMIT
    checkout "$ROOT/campaign_amendment" $AMENDMENT_COMMIT
    checkout "$ROOT/campaign_partial" $PARTIAL_COMMIT
    checkout "$ROOT/campaign_partial_q2l" $PARTIAL_Q2L_COMMIT
    (cd "$ROOT/campaign_protocol" && PYTHONPATH=$PWD \
      python tools/analysis_tools/multiglyphs_protocol.py campaign \
      --work-dir "$PROTOCOL_RUNS")
    (cd "$ROOT/campaign_amendment" && PYTHONPATH=$PWD \
      python tools/analysis_tools/multiglyphs_protocol.py amend \
      --work-dir "$PROTOCOL_RUNS" --code-root "$ROOT/campaign_protocol")
    cd "$ROOT/campaign_partial"
    export PYTHONPATH=$PWD
    tool=tools/analysis_tools/compare_methods.py
    first=$(python $tool --benchmark multiglyphs_partial --list |
      awk '{print $1}' | grep -E '^(full|known10|known50|single)_')
    # shellcheck disable=SC2086
    python $tool --benchmark multiglyphs_partial --work-dir "$PARTIAL_RUNS" \
      --jobs 2 --threads-per-job 1 --only $first
    python $tool --benchmark multiglyphs_partial --work-dir "$PARTIAL_RUNS" \
      --jobs 2 --threads-per-job 1
    cd "$ROOT/campaign_partial_q2l"
    export PYTHONPATH=$PWD
    python $tool --benchmark multiglyphs_partial --work-dir "$PARTIAL_RUNS" \
      --jobs 2 --threads-per-job 1 \
      --only full_q2l known10_q2l_an known50_q2l_an single_q2l_an
    ;;
  sync)
    cd "$REPO"
    if [ -d "$PROTOCOL_RUNS" ]; then
      dest=benchmarks/multiglyphs_protocol
      copy_finished "$PROTOCOL_RUNS" "$dest" overwrite
      # the tool's own reports (pilots, tuning rounds, tables)
      (cd "$PROTOCOL_RUNS" && find . -maxdepth 4 -name '*.md') |
        while read -r f; do
          mkdir -p "$dest/$(dirname "$f")"
          cp "$PROTOCOL_RUNS/$f" "$dest/$f"
        done
      python tools/analysis_tools/multiglyphs_protocol.py table \
        --work-dir "$dest" --update-doc docs/benchmarks.md > /dev/null
      echo "protocol tables (and graph tables) written into docs/benchmarks.md"
      if [ -f "$PROTOCOL_RUNS/amended/plan.json" ]; then
        # what is still training, read from the live folder (checkpoints)
        python tools/analysis_tools/multiglyphs_protocol.py progress \
          --work-dir "$PROTOCOL_RUNS/amended" \
          --update-doc docs/benchmarks.md > /dev/null
        echo "amendment progress written into docs/benchmarks.md"
      fi
    fi
    if [ -d "$PARTIAL_RUNS" ]; then
      copy_finished "$PARTIAL_RUNS" benchmarks/multiglyphs_partial overwrite
      python tools/analysis_tools/compare_methods.py \
        --benchmark multiglyphs_partial \
        --work-dir benchmarks/multiglyphs_partial --no-train \
        --update-doc docs/partial_labels.md > /dev/null
      echo "partial-label table written into docs/partial_labels.md"
    fi
    ;;
  *)
    echo "usage: $0 run|sync|restore [ROOT]" >&2
    exit 2
    ;;
esac
