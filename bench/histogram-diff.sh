#!/usr/bin/env bash
# What a connection holds, from the class histograms the memory benchmark keeps (-Dbench.histograms=<dir>):
#   bench/histogram-diff.sh <dir> <from> <to> [target] [top]
# prints bytes and instances per connection by class, (<to> − <from>) ÷ (to − from connections) for the target
# (jcable by default); with target `share`, jcable's minus the bare endpoint's: what jcable adds to a connection
# (`share:tuned`: jcable:tuned's minus bare:tuned's, the targets of `bench/run.sh curve`).
# Diffing two steps (e.g. 2000 and 4000) leaves the warm-up and the idle baseline out.
set -euo pipefail
dir=$1 from=$2 to=$3 target=${4:-jcable} top=${5:-40}
case "$target" in
  share|share:*) set=${target#share}
    files=("$dir/histogram-jcable$set-$from.txt" "$dir/histogram-jcable$set-$to.txt"
      "$dir/histogram-bare$set-$from.txt" "$dir/histogram-bare$set-$to.txt") ;;
  *) files=("$dir/histogram-$target-$from.txt" "$dir/histogram-$target-$to.txt") ;;
esac
awk -v n=$((to - from)) '
  FNR == 1 { f++ }
  $1 ~ /^[0-9]+:$/ { s = (f % 2 == 1) ? -1 : 1; if (f > 2) s = -s; b[$4] += s * $3; c[$4] += s * $2 }
  END { for (k in b) { printf "%9.1f %7.2f %s\n", b[k] / n, c[k] / n, k; t += b[k] } printf "%9.1f %7s total\n", t / n, "" }
' "${files[@]}" | sort -rn | head -n "$top"
