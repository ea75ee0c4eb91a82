#!/usr/bin/env bash
# update-readme.sh RESULTS_DIR README: rewrites the table between <!-- benchmarks:start --> and
# <!-- benchmarks:end --> in README from BenchmarkDotNet's results of the *GradientBenchmarks classes
# (the ;-separated *-report.csv with times in ns and sizes in bytes that Program.cs configures, and the environment
# block of a *-report-github.md), then the line of generator-report.md (written by --generator) if there is one.
# Needs only bash and awk. Figures are medians.
set -euo pipefail
results="${1:?usage: update-readme.sh RESULTS_DIR README}"
readme="${2:?usage: update-readme.sh RESULTS_DIR README}"

# Fixed workload order, then anything else.
files=()
for w in Rosenbrock Transcendental Piecewise LogSumExp LogSumExpFd SimpleNN Mlp Rnn Cnn; do
  f="$results/Backprop.Benchmarks.${w}GradientBenchmarks-report.csv"
  [[ -f "$f" ]] && files+=("$f")
done
for f in "$results"/*GradientBenchmarks-report.csv; do
  [[ -f "$f" ]] || continue
  case " ${files[*]} " in *" $f "*) ;; *) files+=("$f") ;; esac
done
(( ${#files[@]} )) || { echo "no *GradientBenchmarks-report.csv in $results" >&2; exit 1; }

env_md=$(ls "$results"/*GradientBenchmarks-report-github.md 2>/dev/null | head -n 1 || true)

table=$(mktemp)
trap 'rm -f "$table" "$table.new"' EXIT

{
  if [[ -n "$env_md" ]]; then
    echo '```'
    awk '/^```/ { n++; next } n == 1 && NF { print } n >= 2 { exit }' "$env_md"
    echo '```'
    echo
  fi
  awk -F';' '
    function unq(s) { gsub(/^"|"$/, "", s); gsub(/,/, "", s); return s }
    function num(s) { s = unq(s); return (s == "-" || s == "" || s == "NA") ? "" : s + 0 }
    function fmt_time(ns) {
      if (ns == "") return "–"
      if (ns < 1000) return sprintf("%.1f ns", ns)
      if (ns < 1e6) return sprintf("%.2f µs", ns / 1e3)
      if (ns < 1e9) return sprintf("%.2f ms", ns / 1e6)
      return sprintf("%.2f s", ns / 1e9)
    }
    function fmt_ratio(a, b) { return (a == "" || b == "" || b == 0) ? "–" : sprintf("%.2f×", a / b) }
    function fmt_bytes(b) { return b == "" ? "–" : sprintf("%d B", b) }
    FNR == 1 {
      workload = FILENAME; sub(/.*\//, "", workload); sub(/^Backprop\.Benchmarks\./, "", workload)
      sub(/GradientBenchmarks-report\.csv$/, "", workload)
      fd = sub(/Fd$/, "", workload)
      cm = cn = cmed = calloc = 0; cpar = ""
      for (i = 1; i <= NF; i++) {
        h = unq($i)
        if (h == "Method") cm = i
        else if (h == "N" || h == "T" || h == "Batch") { cn = i; cpar = (h == "Batch" ? "batch" : h) }
        else if (h == "Median [ns]") cmed = i
        else if (h == "Allocated [B]") calloc = i
      }
      if (!cm || !cmed) { print "unexpected header in " FILENAME > "/dev/stderr"; exit 1 }
      next
    }
    {
      key = workload
      if (cn) key = key " (" (cpar == "N" ? "n" : cpar) " = " unq($cn) ")"
      if (!(key in seen)) { seen[key] = 1; order[++nkeys] = key }
      m = unq($cm)
      if (fd && m == "Forward" && ((key, m) in med)) next
      med[key, m] = num($cmed)
      alloc[key, m] = calloc ? num($calloc) : ""
    }
    END {
      print "| Workload | Forward | Generated | Hand-written | Finite differences | Generated / forward | Generated / hand-written | Generated allocated |"
      print "|---|--:|--:|--:|--:|--:|--:|--:|"
      for (k = 1; k <= nkeys; k++) {
        key = order[k]
        f = med[key, "Forward"]; g = med[key, "Generated"]; h = med[key, "HandWritten"]; d = med[key, "FiniteDifferences"]
        printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", key, fmt_time(f), fmt_time(g), fmt_time(h), fmt_time(d),
          fmt_ratio(g, f), fmt_ratio(g, h), fmt_bytes(alloc[key, "Generated"])
      }
    }' "${files[@]}"
  if [[ -f "$results/generator-report.md" ]]; then
    echo
    cat "$results/generator-report.md"
  fi
} > "$table"

grep -q '<!-- benchmarks:start -->' "$readme" && grep -q '<!-- benchmarks:end -->' "$readme" \
  || { echo "$readme has no <!-- benchmarks:start --> / <!-- benchmarks:end --> markers" >&2; exit 1; }
awk -v table="$table" '
  /<!-- benchmarks:start -->/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
  /<!-- benchmarks:end -->/ { skip = 0 }
  !skip { print }' "$readme" > "$table.new"
cat "$table.new" > "$readme"
echo "updated $readme"
