#!/usr/bin/env bash
# Trains the embedded model family with the project's own commands (see models/README.md).
#   models/train-family.sh [MODEL...]      default: every model, in order (P P2 C1 C2 G L1 L2 L3 R16)
#   models/train-family.sh PP PC1 PC2      the pose family (models/pose-family.json), not in the default list
# Runs go to $RUNS (default models/runs-work, not committed); each step resumes when its run folder exists, so an
# interrupted script continues where it stopped. `pack` then writes the committed float16 files into models/.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
sa="$here/bin/stylealign"
runs="${RUNS:-$here/models/runs-work}"
models="${MODELS:-$here/models}"
mkdir -p "$runs"

# Architecture and schedule shared by every model (32x32 RGB; see models/README.md).
ARCH=(--channels 4:128,8:128,16:64,32:64 --z-dim 128 --w-dim 128 --mapping 4)
COMMON=(--batch 16 --pl-weight 0)
P_KIMG="${P_KIMG:-260}"      # the parent's length; its committed snapshot is the one every child starts from
P2_KIMG="${P2_KIMG:-140}"

resume_flag() { [ -f "$runs/$1/snapshot.safetensors" ] && echo --resume || true; }

train_parent() { # name train-seed kimg
  "$sa" train --domain avataaars --size 32 --count 30000 --seed 1 --train-seed "$2" --out "$runs/$1" --kimg "$3" \
    "${COMMON[@]}" "${ARCH[@]}" --snapshot-kimg 20 --metrics 512 $(resume_flag "$1")
}

finetune() { # name from-checkpoint kimg snapshot-kimg data-args... (the data of the child)
  local name="$1" from="$2" kimg="$3" snap="$4"
  shift 4
  "$sa" finetune --from "$from" "$@" --out "$runs/$name" --kimg "$kimg" "${COMMON[@]}" --snapshot-kimg "$snap" \
    --metrics 256 ${CLASSIFIER:+--classifier "$CLASSIFIER"} $(resume_flag "$name")
}

# The children's data: 10,000 images each, built on first use (data/cache); SIZE (default 32) for R16's 16 px.
built() { # style build-args... -> dataset folder
  local size="${SIZE:-32}"
  "$sa" data build "${@:2}" --size "$size" --count 10000 --seed 1 >/dev/null
  echo "$here/data/cache/$1-${size}px-n10000-s1"
}

# The pose family's jitter: every image turned by a random angle in -30..30 degrees and shifted by -8..8 % of the
# image each way; the builder records each image's angle and shifts in its labels (the regression truth).
POSE=(--rotate -30:30 --translate-x -8:8 --translate-y -8:8)
POSE_TAG="-rot-30_30-tx-8_8-ty-8_8"   # the builder's folder name for POSE (BuildSpec.Transform.tag)

# The committed form: models/NAME.safetensors (float16; G_ema, G and D for the models others are fine-tuned from,
# G_ema alone otherwise), models/logs/NAME/{metrics,quality}.csv, and for C1 and C2 the G_ema of early snapshots in
# models/trajectories/NAME/ (the fine-tuning trajectory figure).
# The history snapshot at KIMG (a run stops at the first step past its target: 15 kimg at batch 16 ends at 15.008).
history() {
  local f whole="${2%.*}"
  if [ "$whole" != "$2" ]; then # a fractional length (a check run): the snapshot just past it, e.g. 0.208 for 0.2
    for f in "$(printf '%s/%s/snapshot-%06d' "$runs" "$1" "$whole")".[0-9]*.safetensors; do
      [ -f "$f" ] && { echo "$f"; return; }
    done
  fi
  for f in "$(printf '%s/%s/snapshot-%06d' "$runs" "$1" "$whole")".safetensors \
           "$(printf '%s/%s/snapshot-%06d' "$runs" "$1" "$whole")".[0-9]*.safetensors; do
    [ -f "$f" ] && { echo "$f"; return; }
  done
  printf '%s/%s/snapshot-%06d.safetensors' "$runs" "$1" "$whole"
}

# The whole kimg of NAME's snapshot with the lowest FID in its run's quality log (kimg > 0). The emoji pair's data
# are tiny (116 images, x-flipped) and their runs collapse towards one face late (E, 2026-12-07: FID 42 at 70 kimg,
# 253 at 100), so E and ET are packed at their best snapshot, as users of the NVlabs code pick a network by its FID.
best_kimg() { # name target-kimg (a fractional target, a check run, packs its last snapshot as everywhere else)
  case "$2" in *.*) echo "$2"; return ;; esac
  awk -F, 'NR > 1 && $1 > 0 && $2 != "" { if (k == "" || $2 + 0 < best + 0) { best = $2; k = $1 } }
           END { if (k == "") exit 1; printf "%d\n", k }' "$runs/$1/quality.csv" \
    || { echo "train-family.sh: no FID in $runs/$1/quality.csv" >&2; return 1; }
}

pack() { # name kimg full|ema [trajectory kimgs...]
  local name="$1" kimg="$2" kind="$3"
  shift 3
  local last
  last="$(history "$name" "$kimg")"
  [ -f "$last" ] || { echo "train-family.sh: $last is missing: has $name reached $kimg kimg?" >&2; exit 1; }
  if [ "$kind" = full ]; then
    cp "$last" "$models/$name.safetensors.tmp" && mv "$models/$name.safetensors.tmp" "$models/$name.safetensors"
  else
    "$sa" convert --checkpoint "$last" --out "$models/$name.safetensors" --fp16 --ema-only
  fi
  mkdir -p "$models/logs/$name"
  for f in metrics.csv quality.csv; do
    [ -f "$runs/$name/$f" ] && cp "$runs/$name/$f" "$models/logs/$name/$f"
  done
  for k in "$@"; do
    mkdir -p "$models/trajectories/$name"
    "$sa" convert --checkpoint "$(history "$name" "$k")" --out "$models/trajectories/$name" --fp16 --ema-only
  done
}

# The emoji pair's data: every name of the train split of EmojiSplit (data/README.md) at 32 px, seed 1; no model
# of the pair sees a test name. Prints the dataset folder (the count is the split's size, so the name is read back).
E_KIMG="${E_KIMG:-100}"
ET_KIMG="${ET_KIMG:-30}"     # the emoji child's and the edge-map child's lengths, like the other children's
PE_KIMG="${PE_KIMG:-30}"
emoji_train() { # emoji domain -> dataset folder
  local d
  d="$("$sa" data build "$1" --split train --count all --size 32 --seed 1 \
    | sed -n 's|^\(/.*-train-32px-n[0-9]*-s1\): [0-9]* images .*|\1|p' | tail -1)"
  [ -d "$d" ] || { echo "train-family.sh: building the train split of $1 failed" >&2; return 1; }
  echo "$d"
}

# models/emoji-family.json, written only when both checkpoints exist (notebook 09 section 5 reads it).
emoji_family() {
  for f in E ET; do
    [ -f "$models/$f.safetensors" ] || { echo "train-family.sh: $models/$f.safetensors is missing: train $f first" >&2; exit 1; }
  done
  cat > "$models/emoji-family.json.tmp" <<'JSON'
{
  "about": "The emoji pair of the paired translation benchmark (notebook 09, section 5): a parent trained on Noto emoji and its child fine-tuned on Twemoji, both on the train split of emoji names only (data/README.md, EmojiSplit), so every test name has a true translation neither model saw. Made by models/train-family.sh E ET emoji-family (models/README.md).",
  "models": [
    {"name": "E", "role": "parent", "domain": "emoji-noto", "data": "train split of the emoji names", "checkpoint": "E.safetensors",
     "description": "parent trained from scratch on Noto emoji (train names only)",
     "log": "logs/E/metrics.csv", "quality": "logs/E/quality.csv", "command": "models/train-family.sh E"},
    {"name": "ET", "parent": "E", "role": "child", "distance": "close", "domain": "emoji-twemoji", "data": "train split of the emoji names", "checkpoint": "ET.safetensors",
     "description": "E fine-tuned to Twemoji (train names only)",
     "log": "logs/ET/metrics.csv", "quality": "logs/ET/quality.csv", "command": "models/train-family.sh ET"}
  ]
}
JSON
  mv "$models/emoji-family.json.tmp" "$models/emoji-family.json"
  "$sa" family check --family "$models/emoji-family.json"
}

# models/edge-family.json, written only when PE exists: P and its edge-map child (notebook 09 section 4 reads it;
# a file of its own, so that the analyses of family.json do not count PE among P's children).
edge_family() {
  [ -f "$models/PE.safetensors" ] || { echo "train-family.sh: $models/PE.safetensors is missing: train PE first" >&2; exit 1; }
  cat > "$models/edge-family.json.tmp" <<'JSON'
{
  "about": "P and its edge-map child PE for translation from edge drawings (notebook 09, section 4; the paper's Fig. 37): PE is P fine-tuned on edge maps of avataaars (stylealign data build avataaars --edges), so an edge drawing inverted into PE and rendered by P becomes avatars that share its structure. Made by models/train-family.sh PE edge-family (models/README.md).",
  "models": [
    {"name": "P", "role": "parent", "domain": "avataaars", "kimg": 260, "checkpoint": "P.safetensors",
     "description": "the family's parent (family.json)",
     "log": "logs/P/metrics.csv", "command": "models/train-family.sh P"},
    {"name": "PE", "parent": "P", "role": "child", "distance": "close", "domain": "avataaars", "style": "avataaars-edges",
     "data": "edge maps of avataaars", "checkpoint": "PE.safetensors",
     "description": "P fine-tuned to edge maps of avataaars",
     "log": "logs/PE/metrics.csv", "quality": "logs/PE/quality.csv", "command": "models/train-family.sh PE"}
  ]
}
JSON
  mv "$models/edge-family.json.tmp" "$models/edge-family.json"
  "$sa" family check --family "$models/edge-family.json"
}

step() {
  case "$1" in
    # The emoji pair (issue 15's paired benchmark, models/emoji-family.json) and the edge-map child (Fig. 37); not
    # in the default list:   models/train-family.sh E ET emoji-family PE edge-family   (a fractional *_KIMG packs the last
    # snapshot: E_KIMG=0.2 trains 13 steps, a check that the step runs)
    E)  data="$(emoji_train emoji-noto)" && "$sa" train --data "$data" --train-seed 1 --out "$runs/E" --kimg "$E_KIMG" \
          "${COMMON[@]}" "${ARCH[@]}" --xflip --snapshot-kimg 10 --metrics 256 $(resume_flag E) \
          && pack E "$(best_kimg E "$E_KIMG")" full ;;
    ET) data="$(emoji_train emoji-twemoji)" && finetune ET "$models/E.safetensors" "$ET_KIMG" 5 --data "$data" \
          --xflip && pack ET "$(best_kimg ET "$ET_KIMG")" ema ;;
    emoji-family) emoji_family ;;
    edge-family) edge_family ;;
    # PE: R1 gamma 1, not the default 0.0128: with it the edge-map child collapsed to one drawing within 5 kimg
    # (D loss 0.004; FID 121 -> 85 -> 102 .. 100 at 5..30 kimg); gamma 0.1 still collapsed (FID 151, 89, 74 at 5..15)
    PE) finetune PE "$models/P.safetensors" "$PE_KIMG" 5 --data "$(built avataaars-edges avataaars --edges)" \
          --r1-gamma 1 && pack PE "$(best_kimg PE "$PE_KIMG")" ema ;;
    P)  train_parent P 1 "$P_KIMG" && pack P "$P_KIMG" full ;;
    P2) train_parent P2 2 "$P2_KIMG" && pack P2 "$P2_KIMG" ema ;;
    C1) finetune C1 "$models/P.safetensors" 30 2 --data "$(built personas personas)" \
          && pack C1 30 ema 2 4 6 8 12 16 20 ;;
    C2) finetune C2 "$models/P.safetensors" 30 2 --data "$(built bottts bottts)" \
          && pack C2 30 full 2 4 6 8 12 16 20 ;;
    G)  finetune G "$models/C2.safetensors" 30 5 --data "$(built avataaars avataaars)" --r1-gamma 0.1 && pack G 30 ema ;;
    L1) finetune L1 "$models/P.safetensors" 15 5 --data "$(built avataaars-tx20 avataaars --translate-x 20)" \
          && pack L1 15 ema ;;
    L2) finetune L2 "$models/P.safetensors" 15 5 --data "$(built avataaars-ty20 avataaars --translate-y 20)" \
          && pack L2 15 ema ;;
    L3) finetune L3 "$models/P.safetensors" 15 5 --data "$(built avataaars-rot180 avataaars --rotate 180)" \
          && pack L3 15 ema ;;
    R16) # resolution transfer (paper Fig. 30): P without its 32 px block, fine-tuned on avataaars at 16 px
        [ -f "$runs/P-16px.safetensors" ] || "$sa" convert --checkpoint "$models/P.safetensors" --resolution 16 \
          --seed 16 --out "$runs/P-16px.safetensors"
        finetune R16 "$runs/P-16px.safetensors" 30 5 --data "$(SIZE=16 built avataaars avataaars)" \
          && pack R16 30 ema ;;
    # The pose family (paper Fig. 29): P fine-tuned on jittered avataaars, then children of that pose parent.
    PP) finetune PP "$models/P.safetensors" 40 5 --data "$(built "avataaars$POSE_TAG" avataaars "${POSE[@]}")" \
          && pack PP 40 full ;;
    PC1) finetune PC1 "$models/PP.safetensors" 30 5 --data "$(built "personas$POSE_TAG" personas "${POSE[@]}")" \
          && pack PC1 30 ema ;;
    PC2) finetune PC2 "$models/PP.safetensors" 30 5 --data "$(built "bottts$POSE_TAG" bottts "${POSE[@]}")" \
          && pack PC2 30 ema ;;
    pack-P) pack P "$P_KIMG" full ;;
    pack-P2) pack P2 "$P2_KIMG" ema ;;
    *) echo "train-family.sh: unknown model '$1' (P P2 C1 C2 G L1 L2 L3 R16 PP PC1 PC2)" >&2; exit 2 ;;
  esac
}

for m in "${@:-P P2 C1 C2 G L1 L2 L3 R16}"; do
  for one in $m; do
    echo "== $one ($(date -u +%H:%M:%S))"
    step "$one"
  done
done
