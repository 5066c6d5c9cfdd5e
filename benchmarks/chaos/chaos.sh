#!/usr/bin/env bash
# The chaos suite: the sample on a PostgreSQL the suite controls, under faults (database restart and
# stall, a stalled and a resetting downstream, disconnect storms of 1000 and 2000, a soak, SIGTERM in a
# storm), with checks that nothing is left behind after each. See README.md next to this file.
#
#   benchmarks/chaos/chaos.sh [--short] [suite options...]   (--help lists them)
#
# Builds the sample jar, benchmarks.jar and the actuator jars the suite adds to the sample when one of
# them is missing (or always with BUILD=always), then runs the suite. Exit status: 0 every check held,
# 1 a check failed (the reason is printed last), 2 bad arguments or nothing to run with.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD_FOLDER=${BUILD_FOLDER:-target}   # Maven's -Dbuild.folder
BUILD=${BUILD:-missing}                # missing: build only what is not there; always: run Maven first
MVN_ARGS=${MVN_ARGS:-}                 # more Maven arguments, e.g. -o

cd "$ROOT"
if [[ -n ${JAVA_HOME:-} ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=$(command -v java || true); fi
if [[ -z $JAVA || ! -x $JAVA ]]; then
	echo "chaos.sh: no java found: set JAVA_HOME to a JDK 25" >&2
	exit 2
fi
feature=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n 1)
if [[ $feature != 25 ]]; then
	echo "chaos.sh: $JAVA is Java $feature; the suite and the sample need Java 25 (set JAVA_HOME)" >&2
	exit 2
fi
export JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$JAVA")")")}

BENCHMARKS_JAR=benchmarks/$BUILD_FOLDER/benchmarks.jar
missing=no
[[ -f $BENCHMARKS_JAR ]] || missing=yes
[[ -d benchmarks/$BUILD_FOLDER/sample-actuator ]] || missing=yes
compgen -G "sample/$BUILD_FOLDER/cancelscope-sample-*.jar" >/dev/null || missing=yes
if [[ $BUILD == always || $missing == yes ]]; then
	echo "chaos.sh: building the sample and the benchmarks (-Dbuild.folder=$BUILD_FOLDER)"
	# shellcheck disable=SC2086
	./mvnw -q -B -ntp $MVN_ARGS -pl sample,benchmarks -am package -Dmaven.test.skip=true -Dbuild.folder="$BUILD_FOLDER"
fi

exec "$JAVA" -cp "$BENCHMARKS_JAR" io.github.cancelscope.benchmarks.chaos.ChaosSuite --build-folder="$BUILD_FOLDER" "$@"
