#!/usr/bin/env bash
# Starts the notebook kernel (rapaio-jupyter-kernel, JShell in-process) with the workbench's JVM and DJL settings.
# Called by the kernelspec in environment/jupyter/kernels/stylealign-java; the jar is fetched by environment/setup.sh.
set -euo pipefail
env_dir="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
jar="$env_dir/.state/kernel/rapaio-jupyter-kernel-3.0.1.jar"
fix="$env_dir/.state/kernel/fix"   # a start-up race fixed (environment/kernel-fix); ahead of the jar on purpose
for f in "$jar" "$fix"; do
  if [ ! -e "$f" ]; then
    echo "stylealign kernel: $f is missing; run ./workbench setup" >&2
    exit 1
  fi
done
export STYLEALIGN_HOME="${STYLEALIGN_HOME:-$(dirname "$env_dir")}"
# Never reach for the network: the engine's native library comes from the pytorch-native-cpu jar.
export DJL_OFFLINE=true
# libtorch's OpenMP threads spin ~300k times before sleeping: two busy JVMs on two cores then slow each other down
# 20-40x. 2000 spins keeps a lone process as fast and a shared machine usable (stylealign bench, both ways).
export GOMP_SPINCOUNT="${GOMP_SPINCOUNT:-2000}"
# As bin/stylealign: freed tensor memory stays in the process (glibc would unmap and fault in multi-MB buffers).
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-268435456}"
export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-4294967296}"
export MALLOC_TOP_PAD_="${MALLOC_TOP_PAD_:-536870912}"
# The kernel's own logging (one line per request) and libtorch warnings go to a log file, not into test output;
# what a cell prints is captured by the kernel and lands in the notebook.
log="${STYLEALIGN_KERNEL_LOG:-$env_dir/.state/kernel.log}"
exec 2>>"$log"
exec java ${STYLEALIGN_KERNEL_OPTS:--Xmx4g} -XX:MaxDirectMemorySize=1g -Djava.awt.headless=true -Dai.djl.offline=true \
  -Dai.djl.pytorch.num_threads="${STYLEALIGN_THREADS:-2}" -Dai.djl.pytorch.num_interop_threads=1 \
  -cp "$fix:$jar" org.rapaio.jupyter.kernel.MainApp "$@"
