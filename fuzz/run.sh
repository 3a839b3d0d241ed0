#!/usr/bin/env bash
# Builds every fuzz target (cargo fuzz, libFuzzer) and runs each for a bounded time, starting
# from the committed seeds in fuzz/corpus/<target>. Fails on the first crash, printing the
# input that reproduces it and the command that replays it.
#
#   fuzz/run.sh [seconds per target, default 20] [target …, default all]
#
# What a run finds beyond the seeds stays in fuzz/found/<target> (ignored by git) and seeds
# the next run on this machine. FUZZ_SANITIZER: address (default) or none.
set -euo pipefail
cd "$(dirname "$0")"

seconds=${1:-20}
shift || true
sanitizer=${FUZZ_SANITIZER:-address}

# cargo-fuzz passes nightly-only compiler flags (-Z sanitizer, the sancov passes). No nightly
# toolchain is assumed: RUSTC_BOOTSTRAP lets the stable compiler accept them.
export RUSTC_BOOTSTRAP=1
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "fuzz/run.sh: installing cargo-fuzz" >&2
  cargo install --locked cargo-fuzz@0.13.2
fi

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi

build_started=$SECONDS
cargo fuzz build --sanitizer "$sanitizer" "${targets[@]/#/--bin=}" 2>/dev/null \
  || cargo fuzz build --sanitizer "$sanitizer"
echo "fuzz/run.sh: built in $((SECONDS - build_started)) s" >&2

failed=()
for target in "${targets[@]}"; do
  found="found/$target"
  artifacts="artifacts/$target"
  mkdir -p "$found" "$artifacts" "corpus/$target"
  echo "=== fuzz $target: ${seconds} s ===" >&2
  # New inputs go to the first folder; the committed seeds are only read. A crash, a leak or
  # a timeout (one input running over 10 s) fails the target.
  if ! cargo fuzz run --sanitizer "$sanitizer" "$target" "$found" "corpus/$target" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$artifacts/" -print_final_stats=1 2> >(tail -n 40 >&2); then
    failed+=("$target")
    for input in "$artifacts"/*; do
      [ -e "$input" ] || continue
      echo "fuzz/run.sh: $target failed on $(pwd)/$input" >&2
      echo "  replay: (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run $target $input)" >&2
    done
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz/run.sh: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz/run.sh: ${#targets[@]} targets, ${seconds} s each, no crash" >&2
