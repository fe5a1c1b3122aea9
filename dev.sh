#!/usr/bin/env bash
# cassette developer entry point.
#   ./dev.sh demo [folder]   install what is missing, build (release), run the demo
#   ./dev.sh test            install what is missing, build, run all tests (release, then
#                            ASan+UBSan, then ThreadSanitizer) and build a consumer
#                            project against the installed package
# Environment: CASSETTE_PROP_CASES — property-test cases in the release run (default
# 10000); CASSETTE_ASAN_PROP_CASES / CASSETTE_TSAN_PROP_CASES — the same under the
# sanitizers (defaults 2000 and 200, to keep CI well inside its time; the sanitizer runs
# are there for memory and thread errors, the release run for the search). A long local
# run: CASSETTE_PROP_CASES=100000 ./dev.sh test
set -euo pipefail
cd "$(dirname "$0")"

APT_PACKAGES=(build-essential cmake ninja-build pkg-config libabsl-dev libzstd-dev
  libxxhash-dev libgtest-dev libgmock-dev libbenchmark-dev librapidcheck-dev
  libcli11-dev libfmt-dev nlohmann-json3-dev libyaml-cpp-dev
  librocksdb-dev libleveldb-dev rocksdb-tools)  # the last three: the lab's peers (docs/lab.md)

ensure_deps() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "== installing: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
  fi
}

build() {  # preset
  cmake --preset "$1" >/dev/null
  cmake --build --preset "$1"
}

consumer_check() {
  local prefix
  prefix="$(mktemp -d)"
  cmake --install build/release --prefix "$prefix" >/dev/null
  cmake -S tests/consumer -B build/consumer -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
  cmake --build build/consumer
  ./build/consumer/consumer "$(mktemp -d)/db"
  rm -rf "$prefix"
}

case "${1:-}" in
  demo)
    ensure_deps
    build release
    ./build/release/src/tools/cassette demo --reset --db "${2:-demo-db}"
    ;;
  test)
    ensure_deps
    build release
    ctest --preset release
    consumer_check
    build asan
    CASSETTE_PROP_CASES="${CASSETTE_ASAN_PROP_CASES:-2000}" ctest --preset asan
    # The engine's locks are pthread-based (src/util/mutex.h), which TSan understands;
    # any report fails the run.
    build tsan
    TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
      CASSETTE_PROP_CASES="${CASSETTE_TSAN_PROP_CASES:-200}" ctest --preset tsan
    ;;
  *)
    echo "usage: $0 demo [folder] | test" >&2
    exit 2
    ;;
esac
