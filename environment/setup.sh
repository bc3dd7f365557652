#!/usr/bin/env bash
# Prepares this machine for the notebooks: Jupyter (Debian packages), the Java kernel (Maven Central), the build of
# lib/ and the notebook classpath. Idempotent: each step checks first and is skipped when already in place.
# Usage: environment/setup.sh [--no-build]   (--no-build: leave the Maven build to the caller, e.g. `mvn verify`)
set -euo pipefail
env_dir="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(dirname "$env_dir")"
state="$env_dir/.state"
kernel_version=3.0.1
kernel_jar="$state/kernel/rapaio-jupyter-kernel-$kernel_version.jar"
build=1
[ "${1:-}" = "--no-build" ] && build=0
mkdir -p "$state"

say() { echo "setup: $*" >&2; }

# --- Java and Maven are the only prerequisites -----------------------------------------------------------------
command -v java >/dev/null || { say "java not found: install a JDK 17 (apt-get install openjdk-17-jdk-headless)"; exit 1; }
command -v mvn >/dev/null || { say "mvn not found: install Maven (apt-get install maven)"; exit 1; }

# --- Jupyter from Debian: headless execution (nbconvert/nbclient) and the interactive server ----------------------
# /usr/bin/python3 on purpose: a pyenv or venv python on PATH does not see Debian's python3-* packages.
jupyter_ok() {
  [ -x /usr/bin/jupyter ] && [ -x /usr/bin/jupyter-notebook ] && \
    /usr/bin/python3 -c 'import nbclient, nbconvert, nbformat, jupyter_client, notebook' 2>/dev/null && \
    [ -d "${STYLEALIGN_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}" ]   # the Fashion-MNIST domain (data/) reads Debian's copy
}
if ! jupyter_ok; then
  say "installing Jupyter from Debian packages"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends \
    jupyter-nbconvert python3-nbclient jupyter-client jupyter-notebook dataset-fashion-mnist >/dev/null
  jupyter_ok || { say "Jupyter is still not usable after apt-get install"; exit 1; }
fi

# --- Node.js and npm: the DiceBear domains (data/dicebear) render in Node --------------------------------------------
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  say "installing Node.js and npm from Debian packages (the DiceBear domains render in Node)"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  command -v node >/dev/null || { say "node is still missing after apt-get install nodejs"; exit 1; }
fi

# --- The Java kernel: rapaio-jupyter-kernel (JShell, in-process) ---------------------------------------------------
if [ ! -s "$kernel_jar" ]; then
  say "fetching rapaio-jupyter-kernel $kernel_version"
  # -N: one execution at the root instead of one per module.
  (cd "$repo" && mvn -B -q -Dstyle.color=never -N dependency:copy \
    -Dartifact="io.github.padreati:rapaio-jupyter-kernel:$kernel_version" \
    -DoutputDirectory="$state/kernel")
fi

# A fix for a start-up race in that jar, compiled against it; kernel.sh puts it first on the kernel's classpath
# (environment/kernel-fix/.../LoopThread.java says what and why). Rebuilt when its source changes.
fix_src="$env_dir/kernel-fix"
fix_out="$state/kernel/fix"
fix_hash="$(cd "$fix_src" && find . -name '*.java' | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)"
if [ "$(cat "$fix_out.stamp" 2>/dev/null)" != "$fix_hash" ] || [ ! -d "$fix_out" ]; then
  say "compiling the kernel's start-up fix"
  rm -rf "$fix_out.tmp" && mkdir -p "$fix_out.tmp"
  javac -nowarn --release 17 -cp "$kernel_jar" -d "$fix_out.tmp" $(find "$fix_src" -name '*.java')
  rm -rf "$fix_out" && mv "$fix_out.tmp" "$fix_out"
  echo "$fix_hash" > "$fix_out.stamp"
fi

# --- The library and the notebook classpath ------------------------------------------------------------------------
# The stamp covers everything the build reads; an unchanged tree with its outputs present is not rebuilt.
sources_hash() {
  (cd "$repo" && { ls pom.xml lib/pom.xml; find lib/src/main -type f; } | LC_ALL=C sort | xargs sha256sum) \
    | sha256sum | cut -c1-16
}
target="$repo/lib/target"
if [ "$build" = 1 ]; then
  h="$(sources_hash)"
  if [ "$(cat "$state/build.stamp" 2>/dev/null)" != "$h" ] || [ ! -d "$target/classes/org/stylealign" ] \
     || [ ! -d "$target/dependency" ]; then
    say "building lib/ (mvn package)"
    (cd "$repo" && mvn -B -q -Dstyle.color=never -Dmaven.test.skip=true package)
    echo "$h" > "$state/build.stamp"
  fi
fi

# One manifest-only jar whose Class-Path lists lib's classes and runtime jars: a notebook adds the whole classpath with
# a single `%jars` line. Relative entries keep a clone relocatable.
if [ -d "$target/dependency" ]; then
  cp_jar="$state/classpath.jar"
  listing="$(cd "$target/dependency" && ls *.jar | LC_ALL=C sort)"
  if [ ! -s "$cp_jar" ] || [ "$(cat "$state/classpath.list" 2>/dev/null)" != "$listing" ]; then
    tmp="$(mktemp -d)"
    {
      echo "Manifest-Version: 1.0"
      echo "Class-Path: ../../lib/target/classes/"
      while read -r j; do echo "  ../../lib/target/dependency/$j"; done <<< "$listing"
    } > "$tmp/MANIFEST.MF"
    (cd "$tmp" && jar --create --file "$tmp/classpath.jar" --manifest MANIFEST.MF)
    mv "$tmp/classpath.jar" "$cp_jar"
    echo "$listing" > "$state/classpath.list"
    rm -rf "$tmp"
  fi
fi

# --- The kernelspec lives in environment/jupyter (found through JUPYTER_PATH, set by ./workbench) -------------------
spec="$env_dir/jupyter/kernels/stylealign-java/kernel.json"
[ -f "$spec" ] || { say "missing $spec"; exit 1; }
exit 0
