#!/usr/bin/env bash
# The per-request overhead of the starter: the sample app twice, starter on and off
# (--cancelscope.enabled=false), same JVM flags, same cancelscope.request.timeout, driven by wrk in
# interleaved rounds, or both at once (--mode simultaneous). Headline: server CPU per request
# (utime+stime of the JVM from /proc/PID/stat, before and after each round, divided by the requests
# wrk completed). Also throughput and p50/p99.
# Writes JSON and prints Markdown tables. See README.md next to this file.
#
#   benchmarks/overhead/overhead.sh [--rounds N] [--duration S] [--warmup S] ... (--help)

set -Eeuo pipefail
trap 'echo "overhead.sh: line $LINENO failed (exit $?): $BASH_COMMAND" >&2' ERR

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

# every setting: a flag, or the environment variable of the same name in capitals
ROUNDS=${ROUNDS:-5}                 # measured rounds per endpoint (each: one run per instance)
PAIRS=${PAIRS:-1}                   # pairs of JVMs the rounds are shared among, one pair after the other
MODE=${MODE:-sequential}            # sequential: the two runs of a round one after the other; simultaneous: at once
DURATION=${DURATION:-6}             # seconds per measured run
WARMUP=${WARMUP:-15}                # seconds per endpoint and instance before the first round
PAUSE=${PAUSE:-1}                   # seconds of quiet before each run
CONNECTIONS=${CONNECTIONS:-32}      # wrk -c
THREADS=${THREADS:-1}               # wrk -t
ENDPOINTS=${ENDPOINTS:-/work /healthy /overhead/fork /overhead/page}
REQUEST_TIMEOUT=${REQUEST_TIMEOUT:-2s}   # cancelscope.request.timeout, given to both instances
JVM_OPTS=${JVM_OPTS:--Xms512m -Xmx512m}  # the same for both instances
APP_ARGS=${APP_ARGS:-}              # more application arguments, the same for both instances
WITH_ARGS=${WITH_ARGS:-}            # application arguments of the 'with' instance only
WITHOUT_ARGS=${WITHOUT_ARGS:---cancelscope.enabled=false}  # what makes the 'without' instance
SOURCE=${SOURCE:-tree}              # tree: build this working tree; head: build a snapshot of HEAD in /tmp
JAR=${JAR:-}                        # use this sample jar; build nothing
WITHOUT_JAR=${WITHOUT_JAR:-}        # the 'without' instance runs this jar instead (two builds compared)
BUILD=${BUILD:-always}              # always: run Maven (incremental); never: reuse the jar built before
BUILD_FOLDER=${BUILD_FOLDER:-}          # Maven's -Dbuild.folder (target, or target-actuator with --actuator)
ACTUATOR=${ACTUATOR:-no}            # yes: build the sample with Spring Boot Actuator (Maven profile actuator)
MVN_ARGS=${MVN_ARGS:-}              # more Maven arguments (e.g. -o)
RESULTS=${RESULTS:-$HERE/results}   # where the JSON and the Markdown go
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-120}

usage() {
	cat <<EOF
Usage: benchmarks/overhead/overhead.sh [options]

Starts the sample twice on free loopback ports (starter on, and --cancelscope.enabled=false), warms
both up, then drives them in interleaved rounds with wrk and reports server CPU per request,
throughput and p50/p99 latency per endpoint, with/without ratios and every round's numbers.
With --mode simultaneous each round drives both instances at the same time, each with a wrk of its
own, so that whatever else the machine does falls on both runs of a round alike.

Options (or the environment variable in capitals, e.g. ROUNDS=3):
  --rounds N            measured rounds per endpoint, each one run per instance   [$ROUNDS]
  --pairs N             start the two instances N times, one pair after the other,
                        each warmed up and given rounds/N of the rounds, so that
                        what one JVM's start-up settles by chance (its thread
                        locals' layout, its JIT's choices) averages out           [$PAIRS]
  --mode M              sequential: a round's two runs one after the other, in
                        alternating order; simultaneous: both at once             [$MODE]
  --duration S          seconds per measured run                                 [$DURATION]
  --warmup S            seconds per endpoint and instance before the rounds       [$WARMUP]
  --pause S             seconds of quiet before each run                         [$PAUSE]
  --connections N       wrk -c, per instance (in simultaneous mode too)           [$CONNECTIONS]
  --threads N           wrk -t                                                   [$THREADS]
  --endpoints "P ..."   paths to measure                 [$ENDPOINTS]
  --request-timeout D   cancelscope.request.timeout of both instances            [$REQUEST_TIMEOUT]
  --jvm-opts "..."      JVM options of both instances                            [$JVM_OPTS]
  --app-args "..."      more application arguments for both instances            [${APP_ARGS:-none}]
  --with-args "..."     application arguments of the 'with' instance only        [${WITH_ARGS:-none}]
  --without-args "..."  what makes the 'without' instance; to compare one feature
                        on and off, give both instances the starter, e.g.
                        --with-args "--cancelscope.escaped.enabled=true" --without-args ""
                                                                                 [$WITHOUT_ARGS]
  --source tree|head    build the working tree, or a snapshot of HEAD in /tmp
                        (plus this benchmark's own files if not committed yet)    [$SOURCE]
  --jar PATH            run this sample jar; build nothing
  --without-jar PATH    the 'without' instance runs this jar: two builds compared,
                        e.g. --jar new.jar --without-jar old.jar --without-args ""
  --no-build            reuse the jar of an earlier build
  --build-folder DIR    Maven's -Dbuild.folder (keeps parallel builds apart)
                                          [target; target-actuator with --actuator]
  --actuator            build the sample with Spring Boot Actuator (its Maven
                        profile actuator): Micrometer's observations and meters
                        on both instances, as in most applications; the starter
                        then observes each request scope too                      [$ACTUATOR]
  --results DIR         where results go                                         [$RESULTS]
  -h, --help            this text

Needs JDK 25 (JAVA_HOME or java on PATH), wrk and curl. Exit status 2: something is missing.
EOF
}

while [[ $# -gt 0 ]]; do
	case "$1" in
		--rounds) ROUNDS=$2; shift 2 ;;
		--pairs) PAIRS=$2; shift 2 ;;
		--mode) MODE=$2; shift 2 ;;
		--duration) DURATION=$2; shift 2 ;;
		--warmup) WARMUP=$2; shift 2 ;;
		--pause) PAUSE=$2; shift 2 ;;
		--connections) CONNECTIONS=$2; shift 2 ;;
		--threads) THREADS=$2; shift 2 ;;
		--endpoints) ENDPOINTS=$2; shift 2 ;;
		--request-timeout) REQUEST_TIMEOUT=$2; shift 2 ;;
		--jvm-opts) JVM_OPTS=$2; shift 2 ;;
		--app-args) APP_ARGS=$2; shift 2 ;;
		--with-args) WITH_ARGS=$2; shift 2 ;;
		--without-args) WITHOUT_ARGS=$2; shift 2 ;;
		--source) SOURCE=$2; shift 2 ;;
		--jar) JAR=$2; shift 2 ;;
		--without-jar) WITHOUT_JAR=$2; shift 2 ;;
		--no-build) BUILD=never; shift ;;
		--build-folder) BUILD_FOLDER=$2; shift 2 ;;
		--actuator) ACTUATOR=yes; shift ;;
		--results) RESULTS=$2; shift 2 ;;
		-h|--help) usage; exit 0 ;;
		*) echo "unknown option: $1 (--help lists them)" >&2; exit 2 ;;
	esac
done

for n in ROUNDS PAIRS DURATION WARMUP CONNECTIONS THREADS; do
	[[ ${!n} =~ ^[0-9]+$ ]] || { echo "$n must be a whole number, not '${!n}'" >&2; exit 2; }
done
[[ $ROUNDS -ge 1 && $DURATION -ge 1 && $PAIRS -ge 1 ]] || { echo "--rounds, --pairs and --duration must be at least 1" >&2; exit 2; }
(( ROUNDS % PAIRS == 0 )) || { echo "--rounds ($ROUNDS) must be a multiple of --pairs ($PAIRS): each pair runs as many rounds" >&2; exit 2; }
[[ $SOURCE == tree || $SOURCE == head ]] || { echo "--source is tree or head, not '$SOURCE'" >&2; exit 2; }
[[ $MODE == sequential || $MODE == simultaneous ]] || { echo "--mode is sequential or simultaneous, not '$MODE'" >&2; exit 2; }
[[ $ACTUATOR == yes || $ACTUATOR == no ]] || { echo "ACTUATOR is yes or no, not '$ACTUATOR'" >&2; exit 2; }
if [[ $ACTUATOR == yes ]]; then
	[[ -z $JAR ]] || { echo "--actuator builds the sample; with --jar, give a jar built with -Pactuator and leave --actuator out" >&2; exit 2; }
	MVN_ARGS="$MVN_ARGS -Pactuator"
	BUILD_FOLDER=${BUILD_FOLDER:-target-actuator}
fi
BUILD_FOLDER=${BUILD_FOLDER:-target}

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ---------------------------------------------------------------------------------------- tools

if ! command -v wrk >/dev/null 2>&1; then
	printf '%s\n' "wrk is not installed. It is this benchmark's load generator (cheap next to the server)." \
		"Install it, then run this again:" \
		"    sudo apt-get install wrk     # Debian/Ubuntu (as root: apt-get update && apt-get install -y wrk)" \
		"    brew install wrk             # macOS (the CPU figures need Linux's /proc, though)" >&2
	exit 2
fi
command -v curl >/dev/null 2>&1 || { echo "curl is not installed: apt-get install curl" >&2; exit 2; }
[[ -r /proc/self/stat ]] || { echo "this benchmark reads /proc/PID/stat: it runs on Linux only" >&2; exit 2; }

if [[ -n ${JAVA_HOME:-} ]]; then JAVA=$JAVA_HOME/bin/java; else JAVA=$(command -v java || true); fi
[[ -n $JAVA && -x $JAVA ]] || { echo "no java: set JAVA_HOME to a JDK 25" >&2; exit 2; }
JAVA_VERSION=$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.runtime.version/ {print $2}')
if [[ ${JAVA_VERSION%%[.+-]*} -lt 25 ]]; then
	echo "java at $JAVA is $JAVA_VERSION; the sample needs 25 or newer: point JAVA_HOME at a JDK 25" >&2
	exit 2
fi

CLK_TCK=$(getconf CLK_TCK)

# ---------------------------------------------------------------------------------------- the jar

SOURCE_DESC=""
if [[ -n $WITHOUT_JAR && -z $JAR ]]; then
	echo "--without-jar needs --jar: the jar of the 'with' instance" >&2
	exit 2
fi
if [[ -n $JAR ]]; then
	[[ -f $JAR ]] || { echo "no such jar: $JAR" >&2; exit 2; }
	SOURCE_DESC="given jar $JAR"
	if [[ -n $WITHOUT_JAR ]]; then
		[[ -f $WITHOUT_JAR ]] || { echo "no such jar: $WITHOUT_JAR" >&2; exit 2; }
		SOURCE_DESC="$SOURCE_DESC ('without' instance: given jar $WITHOUT_JAR)"
	fi
else
	if [[ $SOURCE == head ]]; then
		HEAD_SHA=$(git -C "$ROOT" rev-parse HEAD)
		SRC=/tmp/cancelscope-overhead-${HEAD_SHA:0:12}
		if [[ ! -f $SRC/pom.xml ]]; then
			log "snapshot of HEAD ${HEAD_SHA:0:12} into $SRC"
			rm -rf "$SRC.tmp" && mkdir -p "$SRC.tmp"
			git -C "$ROOT" archive HEAD | tar -x -C "$SRC.tmp"
			mv "$SRC.tmp" "$SRC"
		fi
		# this benchmark's own files, while they are not committed yet
		own=sample/src/main/java/io/github/cancelscope/sample/overhead
		if [[ -d $ROOT/$own ]]; then
			mkdir -p "$SRC/$own"
			for f in "$ROOT/$own"/*; do
				cmp -s "$f" "$SRC/$own/${f##*/}" || cp "$f" "$SRC/$own/"
			done
		fi
		SOURCE_DESC="snapshot of HEAD ${HEAD_SHA:0:12} in $SRC, with the working tree's $own"
	else
		SRC=$ROOT
		dirty=$(git -C "$ROOT" status --porcelain 2>/dev/null | wc -l)
		SOURCE_DESC="working tree at $(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null || echo '?') ($dirty paths changed or new)"
	fi
	[[ $ACTUATOR == yes ]] && SOURCE_DESC="$SOURCE_DESC, with Spring Boot Actuator (-Pactuator)"
	JAR=$SRC/sample/$BUILD_FOLDER/cancelscope-sample-0.1.0-SNAPSHOT.jar
	if [[ $BUILD == always ]]; then
		log "building the sample: ./mvnw -q -pl sample -am package -DskipTests -Dbuild.folder=$BUILD_FOLDER $MVN_ARGS (in $SRC)"
		# shellcheck disable=SC2086
		if ! (cd "$SRC" && ./mvnw -q -pl sample -am package -DskipTests -Dbuild.folder="$BUILD_FOLDER" $MVN_ARGS); then
			echo "the build failed in $SRC." >&2
			[[ $SOURCE == tree ]] && echo "If the working tree is mid-change, try --source head (builds a snapshot of HEAD in /tmp)." >&2
			exit 1
		fi
	fi
	[[ -f $JAR ]] || { echo "no sample jar at $JAR (build without --no-build first)" >&2; exit 2; }
fi

# ---------------------------------------------------------------------------------------- run folder

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$RESULTS"
RUN_DIR=$RESULTS/overhead-$STAMP
mkdir -p "$RUN_DIR"
TSV=$RUN_DIR/runs.tsv
LUA=$RUN_DIR/report.lua
cat >"$LUA" <<'EOF'
-- prints wrk's summary on one line the benchmark parses; latencies in microseconds
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "OVERHEAD requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d status=%d timeout=%d"
    .. " mean_us=%.1f p50_us=%.0f p90_us=%.0f p99_us=%.0f p999_us=%.0f max_us=%.0f\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max))
end
EOF

# ---------------------------------------------------------------------------------------- servers

declare -A PID PORT WRK C0 C1 T0 T1
stop_servers() {
	local p
	for p in "${PID[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for _ in $(seq 1 100); do
		local alive=0
		for p in "${PID[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[[ $alive == 0 ]] && break
		sleep 0.1
	done
	for p in "${PID[@]}"; do
		if kill -0 "$p" 2>/dev/null; then log "server $p did not stop in 10 s: SIGKILL"; kill -KILL "$p" 2>/dev/null || true; fi
	done
	[[ ${#PID[@]} -gt 0 ]] && log "servers stopped"
	PID=()
}
cleanup() {
	local status=$?
	trap - EXIT INT TERM
	local p
	for p in "${WRK[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	stop_servers
	exit "$status"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

start_server() { # name, extra argument...
	local name=$1 jar=$JAR; shift
	[[ $name == without && -n $WITHOUT_JAR ]] && jar=$WITHOUT_JAR
	# shellcheck disable=SC2086
	"$JAVA" $JVM_OPTS -jar "$jar" --server.address=127.0.0.1 --server.port=0 \
		--cancelscope.request.timeout="$REQUEST_TIMEOUT" $APP_ARGS "$@" >"$RUN_DIR/$name.$PAIR.log" 2>&1 &
	PID[$name]=$!
}

await_server() { # name
	local name=$1 waited=0 port
	while :; do
		port=$(grep -oE 'Tomcat started on port[^0-9]*[0-9]+' "$RUN_DIR/$name.$PAIR.log" 2>/dev/null | grep -oE '[0-9]+$' | head -1 || true)
		[[ -n $port ]] && break
		if ! kill -0 "${PID[$name]}" 2>/dev/null; then
			echo "the '$name' instance exited during start-up; the end of $RUN_DIR/$name.$PAIR.log:" >&2
			tail -30 "$RUN_DIR/$name.$PAIR.log" >&2
			exit 1
		fi
		((waited++ < STARTUP_TIMEOUT * 5)) || { echo "the '$name' instance did not start in $STARTUP_TIMEOUT s ($RUN_DIR/$name.$PAIR.log)" >&2; exit 1; }
		sleep 0.2
	done
	PORT[$name]=$port
	log "'$name' instance: pid ${PID[$name]}, http://127.0.0.1:$port"
}

start_pair() {
	log "pair $PAIR of $PAIRS: starting the sample twice (JVM options: $JVM_OPTS; cancelscope.request.timeout=$REQUEST_TIMEOUT)"
	log "'with' instance arguments: ${WITH_ARGS:-none}; 'without' instance arguments: ${WITHOUT_ARGS:-none}"
	# shellcheck disable=SC2086 # word splitting of the argument lists is intended
	start_server with $WITH_ARGS
	# shellcheck disable=SC2086
	start_server without $WITHOUT_ARGS
	await_server with
	await_server without

	# which is which, and every endpoint answers 200 on both
	for name in with without; do
		info=$(curl -fsS "http://127.0.0.1:${PORT[$name]}/overhead/info" || true)
		want=true; [[ $name == without && $WITHOUT_ARGS == *cancelscope.enabled=false* ]] && want=false
		if [[ $info != *"\"scoped\":$want"* ]]; then
			echo "the '$name' instance answered '$info' at /overhead/info, expected scoped=$want" >&2
			echo "(a sample jar without the overhead endpoints? rebuild it)" >&2
			exit 1
		fi
		for path in $ENDPOINTS; do
			code=$(curl -s -o "$RUN_DIR/check.body" -w '%{http_code}' "http://127.0.0.1:${PORT[$name]}$path" || true)
			if [[ $code != 200 ]]; then
				echo "GET $path on the '$name' instance answered $code:" >&2
				head -c 600 "$RUN_DIR/check.body" >&2; echo >&2
				exit 1
			fi
		done
	done
	rm -f "$RUN_DIR/check.body"
}

# ---------------------------------------------------------------------------------------- measuring

cpu_ticks() { # pid -> utime+stime in clock ticks (fields 14 and 15; the name in parentheses may hold spaces)
	local stat
	stat=$(<"/proc/$1/stat")
	stat=${stat##*) }
	awk '{print $12 + $13}' <<<"$stat"
}
thread_ticks() { # pid -> "tid kind ticks" per thread; kind: jit (compiler threads), gc (GC threads), other
	# a thread may end between the glob and the read: cat then fails, which must not stop the run
	{ cat /proc/"$1"/task/*/stat 2>/dev/null || true; } | awk '{
		p = 0; while ((k = index(substr($0, p + 1), ")")) > 0) p += k
		name = substr($0, index($0, "(") + 1, p - index($0, "(") - 1)
		n = split(substr($0, p + 2), f, " ")
		kind = (name ~ /CompilerThre/) ? "jit" : (name ~ /^(GC Thread|G1 )/) ? "gc" : "other"
		# the group: the name (Linux keeps its first 15 characters) without its number, spaces as _
		group = name; sub(/[0-9]+$/, "#", group); gsub(/ /, "_", group)
		print $1, kind, f[12] + f[13], group }'
}
thread_groups_ms() { # before-file after-file -> "group=ms;..." for the 8 busiest groups of threads
	awk -v tck="$CLK_TCK" 'NR == FNR { before[$1] = $3; next }
		{ d[$4] += $3 - (($1 in before) ? before[$1] : 0) }
		END { for (g in d) if (d[g] > 0) printf "%s=%.0f\n", g, d[g] * 1000 / tck }' "$1" "$2" |
		sort -t= -k2,2 -rn | head -8 | paste -sd';' -
}
thread_delta_ms() { # before-file after-file kind -> ms of CPU of that kind's threads between the two
	# (threads alive at the end only: one that ended in between is lost, so this is a lower bound)
	awk -v kind="$3" -v tck="$CLK_TCK" 'NR == FNR { before[$1] = $3; next }
		$2 == kind { d += $3 - (($1 in before) ? before[$1] : 0) } END { printf "%.0f\n", d * 1000 / tck }' "$1" "$2"
}
machine_ticks() { # -> "busy total" over all CPUs, from /proc/stat
	awk '/^cpu / {t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t; exit}' /proc/stat
}
children_cpu_ms() { # file written by `times` -> CPU time of this shell's reaped children, in ms
	awk 'NR == 2 {
		split($1, u, /[ms]/); split($2, s, /[ms]/)
		printf "%.0f\n", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * 1000 }' "$1"
}

printf 'endpoint\tround\tinstance\torder\twall_s\trequests\trps\tcpu_ms\tcpu_us_per_req\tp50_ms\tp90_ms\tp99_ms\tp999_ms\tmean_ms\tmax_ms\terrors\tmachine_busy_pct\tclient_cpu_ms\tjit_cpu_ms\tgc_cpu_ms\tthreads_cpu_ms\n' >"$TSV"

measure() { # path, round (0 = warm-up), order within the pair (0: at once), seconds, instance...
	local path=$1 round=$2 order=$3 secs=$4; shift 4
	local name pid out m0 m1 w0 w1 jit gc groups
	sleep "$PAUSE"
	m0=$(machine_ticks)
	# `times` in this shell, not in a subshell: its second line is the CPU of the children it reaped
	times >"$RUN_DIR/times.0"
	for name in "$@"; do
		pid=${PID[$name]}
		thread_ticks "$pid" >"$RUN_DIR/threads.$name.0"
		C0[$name]=$(cpu_ticks "$pid"); T0[$name]=$(date +%s%N)
		wrk -t"$THREADS" -c"$CONNECTIONS" -d"${secs}s" -s "$LUA" "http://127.0.0.1:${PORT[$name]}$path" >"$RUN_DIR/wrk.$name.out" 2>&1 &
		WRK[$name]=$!
	done
	for name in "$@"; do
		pid=${PID[$name]}
		wait "${WRK[$name]}" || { cat "$RUN_DIR/wrk.$name.out" >&2; echo "wrk failed" >&2; exit 1; }
		unset "WRK[$name]"
		C1[$name]=$(cpu_ticks "$pid"); T1[$name]=$(date +%s%N)
		thread_ticks "$pid" >"$RUN_DIR/threads.$name.1"
	done
	times >"$RUN_DIR/times.1"
	m1=$(machine_ticks)
	w0=$(children_cpu_ms "$RUN_DIR/times.0"); w1=$(children_cpu_ms "$RUN_DIR/times.1")
	for name in "$@"; do
		pid=${PID[$name]}
		jit=$(thread_delta_ms "$RUN_DIR/threads.$name.0" "$RUN_DIR/threads.$name.1" jit)
		gc=$(thread_delta_ms "$RUN_DIR/threads.$name.0" "$RUN_DIR/threads.$name.1" gc)
		groups=$(thread_groups_ms "$RUN_DIR/threads.$name.0" "$RUN_DIR/threads.$name.1")
		kill -0 "$pid" 2>/dev/null || { echo "the '$name' instance died; see $RUN_DIR/$name.$PAIR.log" >&2; exit 1; }
		out=$(grep '^OVERHEAD ' "$RUN_DIR/wrk.$name.out") || { cat "$RUN_DIR/wrk.$name.out" >&2; echo "no summary from wrk" >&2; exit 1; }
		# machine busy and wrk's CPU cover the whole run: with the instances at once, both wrks
		awk -v path="$path" -v round="$round" -v name="$name" -v order="$order" -v tck="$CLK_TCK" \
			-v c0="${C0[$name]}" -v c1="${C1[$name]}" -v m0="$m0" -v m1="$m1" -v w0="$w0" -v w1="$w1" \
			-v t0="${T0[$name]}" -v t1="${T1[$name]}" -v jit="$jit" -v gc="$gc" -v groups="$groups" '
			{
				for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
				split(m0, a, " "); split(m1, b, " ")
				req = v["requests"]; cpu_ms = (c1 - c0) * 1000 / tck
				errors = v["connect"] + v["read"] + v["write"] + v["status"] + v["timeout"]
				printf "%s\t%d\t%s\t%d\t%.3f\t%d\t%.1f\t%.0f\t%.2f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%d\t%.1f\t%d\t%d\t%d\t%s\n",
					path, round, name, order, (t1 - t0) / 1e9, req, req / (v["duration_us"] / 1e6), cpu_ms,
					(req > 0 ? cpu_ms * 1000 / req : 0), v["p50_us"] / 1000, v["p90_us"] / 1000, v["p99_us"] / 1000,
					v["p999_us"] / 1000, v["mean_us"] / 1000, v["max_us"] / 1000, errors,
					(b[2] > a[2] ? 100 * (b[1] - a[1]) / (b[2] - a[2]) : 0), w1 - w0, jit, gc, groups
			}' <<<"$out" | tee -a "$TSV" | awk -F'\t' -v W="$round" '{
				printf "  %-16s %s %-7s %7d req  %8.1f req/s  %7.2f us CPU/req  p50 %6.2f ms  p99 %6.2f ms  errors %d  JIT %d ms  GC %d ms  machine busy %.0f%%\n",
					$1, (W == 0 ? "warm-up " : "round " W), $3, $6, $7, $9, $10, $12, $16, $19, $20, $17 }' >&2
	done
}

pair() { # path, round, seconds: both instances, one after the other in this round's order, or at once
	local path=$1 round=$2 secs=$3
	if [[ $MODE == simultaneous ]]; then
		measure "$path" "$round" 0 "$secs" with without
	elif (( round % 2 == 0 && round > 0 )); then
		measure "$path" "$round" 1 "$secs" without; measure "$path" "$round" 2 "$secs" with
	else
		measure "$path" "$round" 1 "$secs" with; measure "$path" "$round" 2 "$secs" without
	fi
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
n_endpoints=$(wc -w <<<"$ENDPOINTS")
runs=2; [[ $MODE == simultaneous ]] && runs=1
total=$(( n_endpoints * runs * (PAIRS * WARMUP + ROUNDS * DURATION + (ROUNDS + PAIRS) * PAUSE) ))
log "$MODE, $PAIRS pair(s) of JVMs: warm-up ${WARMUP} s per endpoint and instance, then $ROUNDS rounds of ${DURATION} s in all; about $(( total / 60 )) min $(( total % 60 )) s"

# each pair of JVMs: started, checked, warmed up, then its share of the rounds, interleaved: every
# round visits every endpoint; rounds are numbered across pairs
round=0
for PAIR in $(seq 1 "$PAIRS"); do
	start_pair
	if [[ $WARMUP -gt 0 ]]; then
		for path in $ENDPOINTS; do
			pair "$path" 0 "$WARMUP"
		done
	fi
	for _ in $(seq 1 $(( ROUNDS / PAIRS ))); do
		round=$(( round + 1 ))
		for path in $ENDPOINTS; do
			pair "$path" "$round" "$DURATION"
		done
	done
	if (( PAIR < PAIRS )); then stop_servers; fi
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
FINISHED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
rm -f "$RUN_DIR"/wrk.*.out "$RUN_DIR"/times.? "$RUN_DIR"/threads.*.?

# ---------------------------------------------------------------------------------------- report

JSON=$RESULTS/overhead-$STAMP.json
MD=$RESULTS/overhead-$STAMP.md
CPU_MODEL=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
if [[ $MODE == simultaneous ]]; then
	ROUNDS_DESC="$ROUNDS rounds of $DURATION s per endpoint, the two instances driven at once, each by a wrk of its own, after $WARMUP s of warm-up"
else
	ROUNDS_DESC="$ROUNDS interleaved rounds of $DURATION s per endpoint and instance after $WARMUP s of warm-up each"
fi
if [[ $PAIRS -gt 1 ]]; then
	ROUNDS_DESC="$ROUNDS_DESC, on $PAIRS pairs of JVMs started one after the other, $(( ROUNDS / PAIRS )) rounds each (each pair warmed up)"
fi
HEADING="Run of $STARTED, $(uname -sr), $(nproc) cores ($CPU_MODEL), Java $JAVA_VERSION; \
wrk -t$THREADS -c$CONNECTIONS, $ROUNDS_DESC; JVM options \`$JVM_OPTS\`, \`cancelscope.request.timeout=$REQUEST_TIMEOUT\` on both; \
load average $LOAD_START at the start, $LOAD_END at the end; built from the $SOURCE_DESC. \
'with' instance arguments: \`${WITH_ARGS:-none}\`; 'without' instance arguments: \`${WITHOUT_ARGS:-none}\`."

awk -F'\t' -v heading="$HEADING" -v json="$JSON" -v started="$STARTED" -v finished="$FINISHED" \
	-v rounds="$ROUNDS" -v pairs="$PAIRS" -v mode="$MODE" -v duration="$DURATION" -v warmup="$WARMUP" -v pause="$PAUSE" -v conns="$CONNECTIONS" \
	-v threads="$THREADS" -v jvm="$JVM_OPTS" -v appargs="$APP_ARGS" -v withargs="$WITH_ARGS" -v withoutargs="$WITHOUT_ARGS" -v timeout="$REQUEST_TIMEOUT" \
	-v java="$JAVA_VERSION" -v source="$SOURCE_DESC" -v jar="$JAR" -v withoutjar="$WITHOUT_JAR" -v load0="$LOAD_START" -v load1="$LOAD_END" \
	-v cores="$(nproc)" -v cpumodel="$CPU_MODEL" -v kernel="$(uname -sr)" -v rundir="$RUN_DIR" '
function esc(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return s }
function median(list,    n, x, i, j, t) {
	n = split(list, x, " ")
	for (i = 2; i <= n; i++) { t = x[i] + 0; for (j = i - 1; j >= 1 && x[j] + 0 > t; j--) x[j + 1] = x[j]; x[j + 1] = t }
	return (n % 2) ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2
}
function lo(list,    n, x, i, m) { n = split(list, x, " "); m = x[1] + 0; for (i = 2; i <= n; i++) if (x[i] + 0 < m) m = x[i] + 0; return m }
function hi(list,    n, x, i, m) { n = split(list, x, " "); m = x[1] + 0; for (i = 2; i <= n; i++) if (x[i] + 0 > m) m = x[i] + 0; return m }
function add(arr, key, val) { arr[key] = (key in arr) ? arr[key] " " val : val }
function stats(list) { return sprintf("{\"median\": %s, \"min\": %s, \"max\": %s}", median(list), lo(list), hi(list)) }
function row(r,    i, s) { s = ""; for (i = 1; i <= NF; i++) s = s (i > 1 ? ", " : "") "\"" col[i] "\": " (i == 1 || i == 3 || col[i] == "threads_cpu_ms" ? "\"" esc($i) "\"" : $i); return "{" s "}" }
NR == 1 { for (i = 1; i <= NF; i++) col[i] = $i; next }
{
	raw[++nraw] = row()
	rawline[nraw] = $0
	if ($2 == 0) next
	if (!($1 in seen)) { seen[$1] = 1; order[++ne] = $1 }
	k = $1 SUBSEP $3
	add(cpu, k, $9); add(rps, k, $7); add(p50, k, $10); add(p99, k, $12)
	req[k] += $6; cpums[k] += $8; err[k] += $16
	r[$1, $2, $3, "cpu"] = $9; r[$1, $2, $3, "rps"] = $7
	if ($2 > maxround) maxround = $2
}
END {
	md = heading "\n\n"
	md = md "| endpoint | server CPU per request, with (µs) | without (µs) | with / without (per round) | throughput with / without (req/s) | with / without (per round) | p50 with / without (ms) | p99 with / without (ms) | errors |\n"
	md = md "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
	js = ""
	for (e = 1; e <= ne; e++) {
		p = order[e]; w = p SUBSEP "with"; o = p SUBSEP "without"
		for (i = 1; i <= maxround; i++) if ((p, i, "with", "cpu") in r && (p, i, "without", "cpu") in r) {
			if (r[p, i, "without", "cpu"] > 0) add(cratio, p, sprintf("%.3f", r[p, i, "with", "cpu"] / r[p, i, "without", "cpu"]))
			if (r[p, i, "without", "rps"] > 0) add(tratio, p, sprintf("%.3f", r[p, i, "with", "rps"] / r[p, i, "without", "rps"]))
		}
		cw = median(cpu[w]); co = median(cpu[o]); tw = median(rps[w]); to = median(rps[o])
		md = md sprintf("| `%s` | %.1f (%.1f–%.1f) | %.1f (%.1f–%.1f) | **%.2f×** (%.2f–%.2f) | %.0f / %.0f | %.2f× (%.2f–%.2f) | %.2f / %.2f | %.2f / %.2f | %d / %d |\n",
			p, cw, lo(cpu[w]), hi(cpu[w]), co, lo(cpu[o]), hi(cpu[o]), (co > 0 ? cw / co : 0), lo(cratio[p]), hi(cratio[p]),
			tw, to, (to > 0 ? tw / to : 0), lo(tratio[p]), hi(tratio[p]),
			median(p50[w]), median(p50[o]), median(p99[w]), median(p99[o]), err[w], err[o])
		js = js (e > 1 ? ",\n" : "") sprintf("    {\"path\": \"%s\",\n", esc(p))
		for (n = 1; n <= 2; n++) {
			name = (n == 1) ? "with" : "without"; k = p SUBSEP name
			js = js sprintf("     \"%s\": {\"cpuPerRequestUs\": %s, \"cpuPerRequestUsAllRounds\": %.2f, \"throughputPerS\": %s, \"p50Ms\": %s, \"p99Ms\": %s, \"requests\": %d, \"cpuMs\": %.0f, \"errors\": %d},\n",
				name, stats(cpu[k]), (req[k] > 0 ? cpums[k] * 1000 / req[k] : 0), stats(rps[k]), stats(p50[k]), stats(p99[k]), req[k], cpums[k], err[k])
		}
		js = js sprintf("     \"withOverWithout\": {\"cpuPerRequestOfMedians\": %.3f, \"cpuPerRequestPerRound\": %s, \"throughputOfMedians\": %.3f, \"throughputPerRound\": %s, \"p50OfMedians\": %.3f, \"p99OfMedians\": %.3f}}",
			(co > 0 ? cw / co : 0), stats(cratio[p]), (to > 0 ? tw / to : 0), stats(tratio[p]),
			(median(p50[o]) > 0 ? median(p50[w]) / median(p50[o]) : 0), (median(p99[o]) > 0 ? median(p99[w]) / median(p99[o]) : 0))
	}
	md = md "\nMedians of the rounds, (min–max) over the rounds; a per-round ratio compares the two runs of one round. CPU is the server JVM'"'"'s utime+stime over the run divided by the requests wrk completed.\n"
	md = md "\nEvery run, in the order it ran within its round (round 0: warm-up, not in the table above):\n\n"
	md = md "| endpoint | round | instance | requests | req/s | server CPU (ms) | of it JIT / GC threads (ms) | CPU per request (µs) | p50 (ms) | p99 (ms) | errors | machine busy | wrk CPU (ms) |\n"
	md = md "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
	for (i = 1; i <= nraw; i++) {
		split(rawline[i], f, "\t")
		md = md sprintf("| `%s` | %d | %s | %d | %.0f | %d | %d / %d | %.1f | %.2f | %.2f | %d | %.0f %% | %d |\n",
			f[1], f[2], f[3], f[6], f[7], f[8], f[19], f[20], f[9], f[10], f[12], f[16], f[17], f[18])
	}
	printf "%s", md
	print "{" > json
	printf "  \"benchmark\": \"cancelscope overhead: the sample with the starter%s and with %s\",\n", (withargs != "") ? " and " esc(withargs) : "", (withoutargs != "") ? esc(withoutargs) : "the starter, defaults" > json
	printf "  \"started\": \"%s\", \"finished\": \"%s\",\n", started, finished > json
	printf "  \"machine\": {\"kernel\": \"%s\", \"cores\": %d, \"cpu\": \"%s\", \"java\": \"%s\", \"loadAverageStart\": \"%s\", \"loadAverageEnd\": \"%s\"},\n", esc(kernel), cores, esc(cpumodel), esc(java), load0, load1 > json
	printf "  \"settings\": {\"mode\": \"%s\", \"rounds\": %d, \"pairs\": %d, \"durationS\": %d, \"warmupS\": %d, \"pauseS\": %s, \"wrkThreads\": %d, \"wrkConnections\": %d, \"jvmOptions\": \"%s\", \"appArguments\": \"%s\", \"withArguments\": \"%s\", \"withoutArguments\": \"%s\", \"requestTimeout\": \"%s\", \"source\": \"%s\", \"jar\": \"%s\", \"withoutJar\": \"%s\", \"logs\": \"%s\"},\n", mode, rounds, pairs, duration, warmup, pause, threads, conns, esc(jvm), esc(appargs), esc(withargs), esc(withoutargs), esc(timeout), esc(source), esc(jar), esc(withoutjar), esc(rundir) > json
	printf "  \"headline\": \"server CPU per request (utime+stime of the server JVM over a run / requests completed); medians over rounds\",\n" > json
	printf "  \"endpoints\": [\n%s\n  ],\n", js > json
	printf "  \"runs\": [\n" > json
	for (i = 1; i <= nraw; i++) printf "    %s%s\n", raw[i], (i < nraw ? "," : "") > json
	printf "  ]\n}\n" > json
}' "$TSV" | tee "$MD"

log "JSON: $JSON"
log "Markdown: $MD (server logs and runs.tsv in $RUN_DIR)"
