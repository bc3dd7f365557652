#!/usr/bin/env bash
# FID, KID and own-style share of every model of the family against 1,000 held-out real images of its own style
# (builder seed 1001: never trained on), with the bundled domain classifier. Prints one CSV line per model.
#   models/quality.sh [SAMPLES]      default 1000
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
n="${1:-1000}"
echo "model,style,fid,kid,own_style_share"
while read -r name style; do
  line="$("$here/bin/stylealign" metrics --checkpoint "$here/models/$name.safetensors" --domain "$style" --size 32 \
    --count "$n" --seed 1001 --samples "$n" | grep "^$name.safetensors,")"
  echo "$name,$style,${line#*,}"
done <<'MODELS'
P avataaars
P2 avataaars
C1 personas
C2 bottts
G avataaars
L1 avataaars-tx20
L2 avataaars-ty20
L3 avataaars-rot180
MODELS
