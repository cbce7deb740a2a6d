#!/usr/bin/env bash
# jcable's benchmark kit (docs/BENCHMARKS.md). One command per benchmark, on one server:
#   bench/run.sh fanout  [server]   fan-out latency: Node ws, the bare @ServerEndpoint and jcable (N=250..2000)
#   bench/run.sh memory  [server]   memory per idle connection (1k, 5k, 10k: jcable, bare endpoint, Node ws)
#   bench/run.sh curve   [server]   the cost curve, 1k to 18k connections, each its own stream and presence: jcable
#                                   and the bare endpoint with the JVM options docs/deploy.md recommends (:tuned);
#                                   class histograms; CSV for bench/cost-curve.mjs (the chart). OUT=<name> names the
#                                   results (target/bench/<name>-<server>.*) for another BENCH_OPTS, e.g. the RSS
#                                   comparison -Dbench.targets=jcable:jvm,jcable:tuned
#   bench/run.sh churn   [server]   presence churn (500 members, 50 clients/s join and leave)
#   bench/run.sh pusher  [server]   the Pusher endpoint against the AnyCable endpoint on one server: fan-out
#                                   (N=500..2000) and presence churn, ratios Pusher ÷ AnyCable
#   bench/run.sh cluster            fan-out on broker=redis: 1 node memory, 1 node redis, 2 nodes redis (Payara)
#   bench/run.sh clusterchurn       presence churn, the same three setups (Payara)
#   bench/run.sh drain              a rolling deploy: 10,000 connections drained off one node onto another, with and
#                                   without shutdown_drain_window=10 (Payara, broker=redis; the reconnects come from
#                                   a second load-generator process, per-connection CSV in target/bench)
#   bench/run.sh slow               slow consumers: 1,000 healthy subscribers with and without 100 that stop reading
#   bench/run.sh noisy   [server]   one abusive client (join/leave, whisper, presence at line rate into a room of
#                                   10,000) among 1,000 healthy subscribers of another stream
#   bench/run.sh chaos              the chaos suite's short form (20 fault cycles, 3 Payara nodes, one redis-server)
#   bench/run.sh chaos-long         its long form (100 cycles, Redis hangs of 5 to 60 s)
#   bench/run.sh cluster-scale      3 Payara nodes on one redis-server, SCALE_PER_NODE connections each, kill -9 one
#   bench/run.sh jmh                broker micro-benchmarks (JMH 1.37), 1 thread and 2 threads
#   bench/run.sh profile [server]   one fan-out run of jcable under JFR, and its top frames
#   bench/run.sh idle    [server]   idle CPU of a node full of connections (18,000), pings on, native pings off,
#                                   ping_interval=0; JFR of each idle window (IDLE_CONNECTIONS=<n> for another size)
#   bench/run.sh all     [server]   fanout, memory, churn on the server, then jmh
# server: payara (Payara Micro, the default), wildfly or liberty; WildFly and Open Liberty are unpacked from Maven
# Central into target/ by the pom's wildfly/liberty profiles (the same unpack the integration suite uses).
# Settings: BENCH_OPTS='-Dbench.n=250,500 -Dbench.messages=200 …' (see src/test/java/dev/jcable/bench/Bench.java).
# BENCH_NOBUILD=1 skips the Maven build. Servers run on core 0, the load generator on core 1 (taskset), loopback
# only, random ports; every run is bounded and stops its servers. Results: target/bench/<name>-<server>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
server=${2:-payara}
case "$server" in payara|wildfly|liberty) ;; *) echo "server: payara|wildfly|liberty, not $server" >&2; exit 2 ;; esac
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "${BENCH_NOBUILD:-}" != 1 ]; then
  # the JMH harness is generated only when the test classes are compiled with -Pbench: an earlier ordinary build
  # leaves them up to date without it, so compile them afresh
  rm -rf target/test-classes target/maven-status/maven-compiler-plugin/testCompile
  mvn -B -q -Pbench -DskipTests package
fi
[ -d bench/node_modules/ws ] || (cd bench && npm ci --no-audit --no-fund --prefer-offline)
CP="target/test-classes:target/classes:$(cat target/bench.classpath)"
mkdir -p target/bench
SERVER_CPUS=0; CLIENT=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then CLIENT=(taskset -c 1); else SERVER_CPUS=""; fi
SERVER_OPTS=()
case "$server" in
  wildfly)
    # a pristine distribution: `mvn verify -Pwildfly` binds the integration suite's settings into standalone.xml
    home=$(ls -d target/wildfly-*/ 2>/dev/null | head -n1 || true)
    if [ -z "$home" ] || grep -q anycable "$home/standalone/configuration/standalone.xml"; then
      mvn -B -q -Pwildfly dependency:unpack@unpack-wildfly
      home=$(ls -d target/wildfly-*/ | head -n1)
    fi
    SERVER_OPTS=(-Dbench.wildflyHome="${home%/}") ;;
  liberty)
    [ -x target/liberty/wlp/bin/server ] || mvn -B -q -Pliberty dependency:unpack@unpack-liberty ;;
esac

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GB; load: $(cut -d' ' -f1-3 /proc/loadavg); server: $server" >&2

loadgen() { # loadgen <benchmark> [java options…]; OUT=<name> writes target/bench/<name>-<server>.md instead
  local name=$1; shift
  local out=${OUT:-$name}
  echo "$name on $server, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  timeout 1200 "${CLIENT[@]}" java -Xms1g -Xmx2g -XX:+UseParallelGC -cp "$CP" -Dbench.serverCpus="$SERVER_CPUS" \
    -Dbench.server="$server" "${SERVER_OPTS[@]}" -Dbench.out="target/bench/$out-$server.md" -Dbench.csv="target/bench/$out-$server.csv" "$@" ${BENCH_OPTS:-} \
    dev.jcable.bench.Bench "$name"
  echo "$name on $server, load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
}

run_jmh() {
  local common=(-f 1 -wi 2 -i 3 -w 1s -r 1s -foe true)
  # one thread, on one core; then two threads on both cores
  timeout 900 ${SERVER_CPUS:+taskset -c 0} java -cp "$CP" org.openjdk.jmh.Main 'dev.jcable.bench.jmh.BrokerBench' \
    "${common[@]}" -t 1 -rf text -rff target/bench/jmh-1thread.txt ${JMH_OPTS:-}
  timeout 900 java -cp "$CP" org.openjdk.jmh.Main 'dev.jcable.bench.jmh.BrokerBench' \
    "${common[@]}" -t 2 -rf text -rff target/bench/jmh-2threads.txt ${JMH_OPTS:-}
  cat target/bench/jmh-1thread.txt target/bench/jmh-2threads.txt
}

top_frames() { # top_frames <file.jfr>: the most sampled frames (self), jdk.ExecutionSample
  echo "top frames (self), jdk.ExecutionSample, $1:"
  jfr print --events jdk.ExecutionSample "$1" | awk '
    /stackTrace = \[/ { getline; sub(/^[ \t]+/, ""); sub(/line:.*/, ""); top[$0]++; n++ }
    END { for (f in top) printf "%6.1f%%  %s\n", 100*top[f]/n, f; printf "%6d   samples\n", n }' | sort -rn | head -30
}

# (-Dbench.targets=node,jcable@before,jcable@after with -Dbench.war.before=… -Dbench.war.after=…: one recording each,
# target/bench/jcable-<tag>.jfr)
run_profile() {
  rm -f target/bench/jcable*.jfr
  loadgen fanout -Dbench.targets=jcable -Dbench.n=1000 -Dbench.messages=600 -Dbench.rate=50 \
    -Dbench.jfr="$PWD/target/bench/jcable.jfr"
  sleep 2
  for f in target/bench/jcable*.jfr; do top_frames "$f"; done | tee target/bench/profile.txt
}

# an idle node full of connections (18,000 by default, each its own stream and presence): its CPU with jcable's
# pings as configured by default, with enable_native_pings=false, with ping_interval=0, and the bare endpoint; a JFR
# recording of a second idle window of each (target/bench/idle-jfr-<server>/). Before/after in one run:
# BENCH_OPTS='-Dbench.war.before=<an earlier jcable.war> -Dbench.targets=jcable@before,jcable'
run_idle() {
  local dir="$PWD/target/bench/$OUT-jfr-$server"
  rm -rf "$dir"; mkdir -p "$dir"
  loadgen memory -Dbench.connections="${IDLE_CONNECTIONS:-18000}" -Dbench.perStream=1 -Dbench.heap=2g \
    -Dbench.targets=jcable:tuned,jcable-nonative:tuned,jcable-pi0:tuned -Dbench.settleMs=10000 \
    -Dbench.closedWaitMs=0 -Dbench.idleJfr="$dir"
  for f in "$dir"/*.jfr; do [ -e "$f" ] && top_frames "$f"; done | tee "target/bench/$OUT-frames-$server.txt"
}

# the chaos suite (src/test/node/chaos.mjs; CHAOS_OPTS='seed=7 clients=4 …' adds or overrides its settings)
run_chaos() { # run_chaos <name> <settings…>
  local name=$1; shift
  [ -d src/test/node/node_modules/@anycable/core ] || (cd src/test/node && npm ci --no-audit --no-fund --prefer-offline)
  echo "$name, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  local out="$PWD/target/bench/$name"
  rm -rf "$out"
  (cd src/test/node && timeout 7200 node chaos.mjs jar="$PWD/../../../target/payara-micro.jar" \
    war="$PWD/../../../target/jcable.war" out="$out" "$@" ${CHAOS_OPTS:-}) | tee "target/bench/$name.txt"
  local rc=${PIPESTATUS[0]}
  echo "$name, load average at end: $(cut -d' ' -f1-3 /proc/loadavg); output in target/bench/$name.txt, logs in $out" >&2
  return "$rc"
}

# 3 Payara nodes on one redis-server, kill -9 of one (bench/cluster-scale.mjs); the full size is 15,000 connections
# per node and 3,000 streams: SCALE_PER_NODE=3000 SCALE_STREAMS=600 for a reduced one; SCALE_OPTS='ttl=5 heap=2g …'
run_scale() {
  echo "cluster-scale, load average at start: $(cut -d' ' -f1-3 /proc/loadavg); open files: $(ulimit -n)" >&2
  rm -rf target/bench/cluster-scale # the nodes' logs are appended to: one run's only
  timeout 3600 node bench/cluster-scale.mjs jar=target/payara-micro.jar war=target/jcable.war \
    out="$PWD/target/bench/cluster-scale" perNode="${SCALE_PER_NODE:-15000}" streams="${SCALE_STREAMS:-3000}" \
    ${SCALE_OPTS:-} | tee target/bench/cluster-scale.txt
  return "${PIPESTATUS[0]}"
}

case "$what" in
  chaos) run_chaos chaos cycles=20 nodes=3 clients=3 streams=3 ;;
  chaos-long) run_chaos chaos-long cycles=100 nodes=3 clients=4 streams=4 hang=5,10,30,60 ;;
  cluster-scale) run_scale ;;
  fanout|memory|churn|cluster|clusterchurn|drain|pusher) loadgen "$what" ;;
  curve) out=${OUT:-curve}; rm -rf "target/bench/h-$out-$server"; mkdir -p "target/bench/h-$out-$server"
    OUT=$out loadgen memory -Dbench.connections=1000,2000,5000,10000,18000 -Dbench.perStream=1 -Dbench.heap=2g \
      -Dbench.targets=jcable:tuned,bare:tuned -Dbench.histograms="$PWD/target/bench/h-$out-$server" \
      -Dbench.closedWaitMs=5000 -Dbench.serverLogs=target/bench ;;
  jmh) run_jmh ;;
  profile) run_profile ;;
  idle) OUT=${OUT:-idle} run_idle ;;
  slow) timeout 900 "${CLIENT[@]}" java -Xms1g -Xmx2g -XX:+UseParallelGC -cp "$CP" -Dbench.serverCpus="$SERVER_CPUS" \
    -Dbench.out=target/bench/slow.md ${BENCH_OPTS:-} dev.jcable.bench.SlowConsumers ;;
  noisy) timeout 1200 "${CLIENT[@]}" java -Xms1g -Xmx2g -XX:+UseParallelGC -cp "$CP" -Dbench.serverCpus="$SERVER_CPUS" \
    -Dbench.server="$server" "${SERVER_OPTS[@]}" -Dbench.out="target/bench/noisy-$server.md" ${BENCH_OPTS:-} \
    dev.jcable.bench.NoisyNeighbour ;;
  all) rc=0; for b in fanout memory churn; do loadgen "$b" || rc=1; done; run_jmh || rc=1; exit $rc ;;
  *) echo "usage: bench/run.sh fanout|memory|curve|idle|churn|pusher|cluster|clusterchurn|drain|jmh|profile|slow|noisy|chaos|chaos-long|cluster-scale|all [payara|wildfly|liberty]" >&2; exit 2 ;;
esac
