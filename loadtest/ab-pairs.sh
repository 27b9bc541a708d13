# Alternated wrk runs of two sides, A and B, and the medians of their per-pair ratios (A over B): sourced by the
# loadtest scripts that compare two ways through the same node (collect-bench.sh, oip-bench.sh).
#   ab_pairs PREFIX PAIRS DURATION CONNECTIONS A_URI A_LUA B_URI B_LUA
# prints "<PREFIX>_a rps p50 p99", "<PREFIX>_b ...", "<PREFIX>_vs rps_ratio p99_ratio" and
# "<PREFIX>_ratio_quartiles q1 q3". ABBA order: which side goes first alternates, so a drift of the machine during
# a pair favours neither. Each side is warmed up for 5 s first. Progress goes to stderr.
ab_wrk_once() { # uri lua duration connections -> "rps p50_ms p99_ms"; a run with any answer not 2xx fails
  wrk -t1 -c"$4" -d"$3s" --latency -s "$2" "$1" | awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /Requests\/sec/ { rps=$2 } $1=="50%" { p50=ms($2) } $1=="99%" { p99=ms($2) }
    /Non-2xx/ { bad=$NF }
    END { if (bad > 0) { print "ab-pairs: " bad " answers not 2xx" > "/dev/stderr"; exit 1 }
          printf "%s %s %s\n", rps, p50, p99 }'
}

ab_pairs() {
  local prefix=$1 pairs=$2 dur=$3 conc=$4 a_uri=$5 a_lua=$6 b_uri=$7 b_lua=$8
  local runs; runs=$(mktemp -d)
  wrk -t1 -c"$conc" -d5s -s "$a_lua" "$a_uri" > /dev/null
  wrk -t1 -c"$conc" -d5s -s "$b_lua" "$b_uri" > /dev/null
  : > "$runs/a"; : > "$runs/b"
  for i in $(seq 1 "$pairs"); do
    if [ $((i % 2)) = 1 ]; then
      ab_wrk_once "$a_uri" "$a_lua" "$dur" "$conc" >> "$runs/a"; ab_wrk_once "$b_uri" "$b_lua" "$dur" "$conc" >> "$runs/b"
    else
      ab_wrk_once "$b_uri" "$b_lua" "$dur" "$conc" >> "$runs/b"; ab_wrk_once "$a_uri" "$a_lua" "$dur" "$conc" >> "$runs/a"
    fi
    echo "$prefix: pair $i: a $(tail -1 "$runs/a"); b $(tail -1 "$runs/b")" >&2
  done
  /usr/bin/python3 - "$prefix" "$runs/a" "$runs/b" <<'PY'
import statistics, sys
p = sys.argv[1]
a = [list(map(float, l.split())) for l in open(sys.argv[2]) if l.strip()]
b = [list(map(float, l.split())) for l in open(sys.argv[3]) if l.strip()]
med = lambda rows: " ".join("%.3f" % statistics.median(c) for c in zip(*rows))
print(p + "_a", med(a))
print(p + "_b", med(b))
ratios = sorted(x[0] / y[0] for x, y in zip(a, b))
print(p + "_vs", "%.3f" % statistics.median(ratios), "%.3f" % statistics.median(x[2] / y[2] for x, y in zip(a, b)))
q = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
print(p + "_ratio_quartiles", "%.3f %.3f" % (q[0], q[2]))
PY
  rm -rf "$runs"
}
