#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# A long fuzzing run of one target, toward the 10^8 executions of
# doc/guides/security.rst:
#
#   devtools/fuzz-campaign.sh TARGET EXECUTIONS [JOBS]
#
# TARGET is msg, backend, frontend, vring_dev or vring_drv. JOBS processes
# (default: one per CPU this shell may use) each run EXECUTIONS/JOBS inputs,
# each pinned to its own CPU, sharing one corpus directory so what one
# finds the others mutate. The binary is copied first, so rebuilding
# build-asan/ during the run changes nothing. Every minute a line gives the
# executions so far; at the end the total, the findings (crash-, leak-,
# timeout-, oom- files), and, with VU_FUZZ_MERGE=1, the new units that add
# coverage are merged into fuzz/corpus/TARGET.
#
# VU_FUZZ_FLAGS adds libFuzzer flags to every job, e.g. "-entropic=0"
# (libFuzzer's older power schedule: about twice the rate on vring_drv,
# whose profile is otherwise two thirds entropic bookkeeping).
#
# VU_FUZZ_CHUNK (default 10^6) is how many executions each libFuzzer run of
# a job does before the next starts: counts are exact per chunk.
#
# Work directory: $VU_FUZZ_DIR (default /var/tmp/vu-fuzz/TARGET); kept, so
# a second campaign starts from the first one's corpus. Stop it early with
# Ctrl-C or kill (TERM; a script started with & from another script ignores
# SIGINT): it stops its jobs and prints the executions done so far.
# Exit status: 0 when every job finished its runs with no finding.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD

usage() { echo "usage: $0 msg|backend|frontend|vring_dev|vring_drv EXECUTIONS [JOBS]" >&2; exit 2; }
[ $# -ge 2 ] && [ $# -le 3 ] || usage
target=$1
total=$2
case "$target" in msg|backend|frontend|vring_dev|vring_drv) ;; *) usage ;; esac
[[ "$total" =~ ^[1-9][0-9]*$ ]] || { echo "EXECUTIONS must be a positive integer" >&2; exit 2; }

# The CPUs we may use, expanded from e.g. "0-3,6".
cpus=()
for part in $(awk '/^Cpus_allowed_list/{gsub(",", " ", $2); print $2}' /proc/self/status); do
	if [[ "$part" == *-* ]]; then
		for ((c = ${part%-*}; c <= ${part#*-}; c++)); do cpus+=("$c"); done
	else
		cpus+=("$part")
	fi
done
njobs=${3:-${#cpus[@]}}
[[ "$njobs" =~ ^[1-9][0-9]*$ ]] && [ "$njobs" -le "${#cpus[@]}" ] ||
	{ echo "JOBS must be 1..${#cpus[@]} (one CPU each)" >&2; exit 2; }

bin=build-asan/fuzz/fuzz_$target
[ -x "$bin" ] || { echo "$bin missing: build build-asan/ first (README, 'Building by hand')" >&2; exit 2; }

dir=${VU_FUZZ_DIR:-/var/tmp/vu-fuzz/$target}
mkdir -p "$dir/corpus" "$dir/findings" "$dir/bin" "$dir/lib" || exit 2
# The binary finds its libraries at $ORIGIN/../lib: copy both.
cp "$bin" "$dir/bin/" && cp build-asan/lib/libvu_*.so "$dir/lib/" || exit 2
cp -n fuzz/corpus/"$target"/* "$dir/corpus/" 2>/dev/null

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

per_job=$(( (total + njobs - 1) / njobs ))
chunk=${VU_FUZZ_CHUNK:-1000000}
echo "fuzz_$target: $njobs job(s) x $per_job executions, CPUs ${cpus[*]:0:$njobs}, in $dir${VU_FUZZ_FLAGS:+, flags $VU_FUZZ_FLAGS}"

# One job: libFuzzer runs of $chunk inputs until its share is done, so a
# finished chunk's count is exact (libFuzzer itself only prints a status
# line on new coverage or at powers of two) and each chunk starts from the
# corpus every job has grown. jobN.done holds the executions finished.
run_job() { # run_job N CPU
	local left=$per_job n rc fuzzer
	echo 0 >"job$1.done"
	: >"job$1.log"
	# A TERM to this job (from stop_jobs, or from a "pkill -f" that matched
	# every process of the campaign) stops its fuzzer too, which would
	# otherwise run on, orphaned.
	trap '[ -n "${fuzzer:-}" ] && kill "$fuzzer" 2>/dev/null; wait; exit 143' TERM
	while [ "$left" -gt 0 ]; do
		n=$((left < chunk ? left : chunk))
		# -print_funcs=0: no symbolizer process started between inputs.
		taskset -c "$2" bin/fuzz_"$target" corpus -runs="$n" -timeout=10 \
			-rss_limit_mb=2048 -print_funcs=0 -print_final_stats=1 \
			-artifact_prefix=findings/ ${VU_FUZZ_FLAGS:-} >"job$1.chunk" 2>&1 &
		fuzzer=$!
		wait "$fuzzer"
		rc=$?
		cat "job$1.chunk" >>"job$1.log"
		n=$(awk '/stat::number_of_executed_units/{print $2}' "job$1.chunk")
		echo $(( $(cat "job$1.done") + ${n:-0} )) >"job$1.done"
		: >"job$1.chunk"
		[ $rc -eq 0 ] || return $rc
		left=$((left - ${n:-$left}))
	done
}

pids=()
for ((j = 0; j < njobs; j++)); do
	(cd "$dir" && run_job $j "${cpus[$j]}") &
	pids+=($!)
done
stop_jobs() {
	kill "${pids[@]}" 2>/dev/null
	wait
}
trap 'stop_jobs; echo "fuzz_$target: stopped after $(executed) executions (finished chunks, plus the last status line of the running ones)"; exit 130' INT TERM

# Executions so far: finished chunks, plus the last status line of each
# running chunk.
executed() {
	local sum=0 n j
	for ((j = 0; j < njobs; j++)); do
		n=$(grep -ao '^#[0-9]*' "$dir/job$j.chunk" 2>/dev/null | tail -n 1 | tr -d '#')
		sum=$((sum + $(cat "$dir/job$j.done" 2>/dev/null || echo 0) + ${n:-0}))
	done
	echo $sum
}

alive() {
	local p
	for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && return 0; done
	return 1
}

start=$(date +%s)
while alive; do
	for ((s = 0; s < 60; s++)); do
		alive || break 2
		sleep 1
	done
	now=$(($(date +%s) - start))
	n=$(executed)
	echo "$(date +%T) ${now}s: $n of $total executions ($((n / now))/s)"
done

rc=0
for ((j = 0; j < njobs; j++)); do
	wait "${pids[$j]}" || { rc=1; echo "job $j failed; the end of its log:"; tail -n 30 "$dir/job$j.log"; }
done
done_runs=0
for ((j = 0; j < njobs; j++)); do
	done_runs=$((done_runs + $(cat "$dir/job$j.done")))
done
findings=$(ls "$dir/findings" | grep -cE '^(crash|leak|timeout|oom|slow-unit)-')
elapsed=$(($(date +%s) - start))
echo "fuzz_$target: $done_runs executions in ${elapsed}s, $findings finding(s)"
[ "$findings" -eq 0 ] || { ls -l "$dir/findings"; rc=1; }

if [ "${VU_FUZZ_MERGE:-0}" = 1 ]; then
	before=$(ls fuzz/corpus/"$target" | wc -l)
	"$dir/bin/fuzz_$target" -merge=1 "$ROOT/fuzz/corpus/$target" "$dir/corpus" \
		>"$dir/merge.log" 2>&1 || { echo "merge failed: see $dir/merge.log"; rc=1; }
	echo "merged into fuzz/corpus/$target: $(( $(ls fuzz/corpus/"$target" | wc -l) - before )) new unit(s)"
fi
exit $rc
