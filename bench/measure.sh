# Sourced by the benchmark scripts: runs one command and appends a line
# "TOOL CASE SECONDS PEAK_KB" (wall time, and peak resident memory from /usr/bin/time)
# to stdout; $work must name a scratch folder.
measure() {  # measure TOOL CASE COMMAND...
  local tool=$1 case=$2; shift 2
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$work/rss" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; return 1; }
  t1=$(date +%s.%N)
  echo "$tool $case $(echo "$t1 - $t0" | bc) $(tail -1 "$work/rss")"
}
