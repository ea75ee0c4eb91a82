#!/usr/bin/env bash
# Runs the gradient benchmarks (a short job: 1 launch, 3 warm-up and 3 measured iterations) and rewrites the
# table between <!-- benchmarks:start --> and <!-- benchmarks:end --> in the repository's README.md.
# Extra arguments go to BenchmarkDotNet, e.g. ./run.sh --filter '*Rosenbrock*' (then only those
# rows change; the others keep their last results). Results: BenchmarkDotNet.Artifacts/results/*-report.csv and *-report-github.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
results="$here/BenchmarkDotNet.Artifacts/results"
filter=('--filter' '*GradientBenchmarks*')
for a in "$@"; do [[ "$a" == "--filter" ]] && filter=(); done
dotnet run -c Release -- "${filter[@]}" --job short "$@"
"$here/update-readme.sh" "$results" "$here/../../README.md"
