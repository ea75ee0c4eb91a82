#!/usr/bin/env bash
# Runs the gradient benchmarks (a short job: 1 launch, 3 warm-up and 3 measured iterations) and the generator benchmark
# (--generator, Stopwatch), then rewrites the table between <!-- benchmarks:start --> and <!-- benchmarks:end --> in the
# repository's README.md. Extra arguments go to BenchmarkDotNet, e.g. ./run.sh --filter '*Rosenbrock*' (then only those
# rows change; the others keep their last results; the generator benchmark is skipped unless BACKPROP_GENERATOR=1).
# Results: BenchmarkDotNet.Artifacts/results/*-report.csv, *-report-github.md and generator-report.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
results="$here/BenchmarkDotNet.Artifacts/results"
filter=('--filter' '*GradientBenchmarks*')
generator=1
for a in "$@"; do [[ "$a" == "--filter" ]] && { filter=(); generator="${BACKPROP_GENERATOR:-0}"; }; done
dotnet build -c Release
if [[ "$generator" == 1 ]]; then dotnet run -c Release --no-build -- --generator; fi
dotnet run -c Release --no-build -- "${filter[@]}" --job short "$@"
"$here/update-readme.sh" "$results" "$here/../../README.md"
