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

# Release with optimisations (-O), as libFuzzer needs speed; the same flags for build and run,
# so that the run does not rebuild.
flags=(-O --sanitizer "$sanitizer")
build_started=$SECONDS
cargo fuzz build "${flags[@]}"
echo "fuzz/run.sh: built in $((SECONDS - build_started)) s" >&2

failed=()
for target in "${targets[@]}"; do
  found="found/$target"
  artifacts="artifacts/$target"
  log="artifacts/$target.log"
  rm -rf "$artifacts"
  mkdir -p "$found" "$artifacts" "corpus/$target"
  echo "=== fuzz $target: ${seconds} s ===" >&2
  # New inputs go to the first folder; the committed seeds are only read. A crash, a failed
  # assertion, a leak or one input running over 10 s fails the target.
  if cargo fuzz run "${flags[@]}" "$target" "$found" "corpus/$target" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^#[0-9]+ *DONE' "$log" >&2 || true
  else
    failed+=("$target")
    tail -n 60 "$log" >&2
    for input in "$artifacts"/*; do
      [ -e "$input" ] || continue
      echo "fuzz/run.sh: $target failed on $(pwd)/$input" >&2
      echo "  replay: (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run ${flags[*]} $target $input)" >&2
    done
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz/run.sh: FAILED: ${failed[*]} (logs: $(pwd)/artifacts/<target>.log)" >&2
  exit 1
fi
echo "fuzz/run.sh: ${#targets[@]} targets, ${seconds} s each, no crash" >&2
