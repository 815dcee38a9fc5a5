#!/usr/bin/env bash
# Single-node Apache Kafka (KRaft) for local development and CI, without Docker.
#
# The broker jars come from Maven Central (scripts/kafka/pom.xml) into a cache
# outside git; data, config, log and pid live in the run dir (.run/ is gitignored).
#
#   scripts/kafka.sh fetch    download the broker jars once (cached)
#   scripts/kafka.sh start    reuse a broker on KAFKA_BROKERS, else start ours and wait
#   scripts/kafka.sh stop     stop the broker this script started (never a foreign one)
#   scripts/kafka.sh status   does a broker answer, and is it ours?
#   scripts/kafka.sh reset    stop ours and delete its data (clean slate)
#
# Environment (all optional):
#   KAFKA_BROKERS         host:port[,...]   default 127.0.0.1:9092 (first entry is used;
#                                           the controller listens on port+1)
#   KAFKA_VERSION         default 4.1.1 (fallback if 4.x misbehaves: 3.9.1, see pom.xml)
#   LEADPIPE_CACHE_DIR    default $HOME/.cache/leadpipe
#   LEADPIPE_RUN_DIR      default <repo>/.run
#   KAFKA_START_TIMEOUT   seconds to wait for the broker to answer, default 90
#   KAFKA_STOP_TIMEOUT    seconds between SIGTERM and SIGKILL, default 30
#   KAFKA_HEAP_OPTS       default "-Xms256m -Xmx512m"
#   KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR
#                         default 1. Tests only: above 1 this single broker cannot create
#                         __consumer_offsets, so no group finds a coordinator (the
#                         consumer-coordinator integration test makes that happen on purpose)
#
# Topics are not created here: the Node code creates them with the kafkajs admin.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"

KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}"
CACHE_DIR="${LEADPIPE_CACHE_DIR:-$HOME/.cache/leadpipe}/kafka-${KAFKA_VERSION}"
LIBS_DIR="$CACHE_DIR/libs"
MARKER="$CACHE_DIR/.complete"
RUN_DIR="${LEADPIPE_RUN_DIR:-$REPO_DIR/.run}/kafka"
CONFIG="$RUN_DIR/server.properties"
DATA_DIR="$RUN_DIR/data"
LOG_FILE="$RUN_DIR/server.log"
PID_FILE="$RUN_DIR/kafka.pid"
POM="$SCRIPT_DIR/kafka/pom.xml"
LOG4J_CONFIG="$SCRIPT_DIR/kafka/log4j2.properties"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

# First broker of the list; the controller gets the next port.
first_broker="${KAFKA_BROKERS%%,*}"
HOST="${first_broker%:*}"
PORT="${first_broker##*:}"
if [[ "$HOST" == "$first_broker" || ! "$PORT" =~ ^[0-9]+$ ]]; then
  echo "kafka: KAFKA_BROKERS must look like host:port, got '$KAFKA_BROKERS'" >&2
  exit 2
fi
CONTROLLER_PORT=$((PORT + 1))
OFFSETS_RF="${KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR:-1}"
if [[ ! "$OFFSETS_RF" =~ ^[1-9][0-9]*$ ]]; then
  echo "kafka: KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR must be a positive integer, got '$OFFSETS_RF'" >&2
  exit 2
fi

log() { echo "kafka: $*" >&2; }

# --- probes ------------------------------------------------------------------

# Plain TCP connect (bash /dev/tcp: no nc on the machine).
tcp_open() {
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$HOST" "$PORT" 2>/dev/null
}

# Kafka-level check: send an ApiVersions v0 request (api_key 18, correlation id
# 0x4c504950 "LPIP", client id "leadpipe") and expect a response carrying our
# correlation id. Only a Kafka broker answers that, and a KRaft broker only opens
# its client listener once it has joined the cluster, so this means "usable".
kafka_answers() {
  local reply
  reply="$(timeout 3 bash -c '
      exec 3<>"/dev/tcp/$0/$1" || exit 1
      printf "\x00\x00\x00\x12\x00\x12\x00\x00\x4c\x50\x49\x50\x00\x08leadpipe" >&3
      head -c 10 <&3 | od -An -tx1 | tr -d " \n"
    ' "$HOST" "$PORT" 2>/dev/null)" || return 1
  # bytes 0-3 size, 4-7 correlation id, 8-9 error code (0, or 35 if v0 were dropped)
  [[ "$reply" =~ ^[0-9a-f]{8}4c504950(0000|0023)$ ]]
}

# The pid from our pid file, if that process is alive and is our broker
# (checked via its command line, so a recycled pid is never signalled).
our_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "kafka.Kafka $CONFIG" || return 1
  echo "$pid"
}

tail_log() {
  if [[ -f "$LOG_FILE" ]]; then
    log "last lines of $LOG_FILE:"
    tail -n "${1:-40}" "$LOG_FILE" >&2
  fi
}

# Serialise start/stop/reset between concurrent callers (e.g. parallel CI steps).
lock_run_dir() {
  mkdir -p "$RUN_DIR"
  exec 9>"$RUN_DIR/.lock"
  flock -w 300 9 || { log "could not lock $RUN_DIR/.lock"; exit 1; }
}

# --- fetch -------------------------------------------------------------------

# The marker records version + pom hash, so editing the pom triggers a re-fetch.
marker_content() {
  echo "kafka_2.13 $KAFKA_VERSION pom-sha256 $(sha256sum "$POM" | cut -d' ' -f1)"
}

cmd_fetch() {
  if [[ -f "$MARKER" && "$(cat "$MARKER")" == "$(marker_content)" ]]; then
    log "jars for Kafka $KAFKA_VERSION already in $LIBS_DIR"
    return 0
  fi
  command -v mvn >/dev/null || { log "mvn not found (needs Maven + Maven Central)"; exit 1; }
  log "fetching Kafka $KAFKA_VERSION jars with Maven into $LIBS_DIR (first time takes a while)"
  mkdir -p "$CACHE_DIR"
  # Download into a temp dir and swap it in, so an interrupted fetch never
  # leaves a half-filled libs dir that looks complete.
  local tmp="$CACHE_DIR/libs.tmp.$$"
  rm -rf "$tmp"
  # -B/-ntp: no prompts or progress bars in CI logs; runs fine as root with CI=true.
  # The sed strips the stray ANSI resets Debian's Maven 3.8 prints even with -B
  # (pipefail keeps mvn's exit status).
  if ! mvn -q -B -ntp -f "$POM" \
      -Dkafka.version="$KAFKA_VERSION" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" 2>&1 |
      sed 's/\x1b\[[0-9;]*m//g' >&2; then
    rm -rf "$tmp"
    log "Maven could not fetch Kafka $KAFKA_VERSION"
    exit 1
  fi
  if ! compgen -G "$tmp/kafka_2.13-*.jar" >/dev/null; then
    rm -rf "$tmp"
    log "Maven ran but kafka_2.13 jar is missing in the output"
    exit 1
  fi
  rm -rf "$LIBS_DIR"
  mv "$tmp" "$LIBS_DIR"
  marker_content >"$MARKER"
  log "fetched $(ls "$LIBS_DIR" | wc -l) jars ($(du -sh "$LIBS_DIR" | cut -f1))"
}

# --- start -------------------------------------------------------------------

write_config() {
  mkdir -p "$DATA_DIR"
  # Rewritten on every start so that it always matches KAFKA_BROKERS; the data
  # dir (meta.properties) keeps the cluster id across restarts.
  # Static controller.quorum.voters (not the 4.x dynamic quorum) because it works
  # the same on 3.9 and 4.x and needs no extra format flags.
  cat >"$CONFIG" <<EOF
# Generated by scripts/kafka.sh - single-node KRaft broker for dev/CI. Do not edit.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@${HOST}:${CONTROLLER_PORT}
listeners=PLAINTEXT://${HOST}:${PORT},CONTROLLER://${HOST}:${CONTROLLER_PORT}
advertised.listeners=PLAINTEXT://${HOST}:${PORT}
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=${DATA_DIR}

# One broker: every internal topic must have replication factor 1, or consumer
# groups never get a coordinator ("The group coordinator is not available").
offsets.topic.replication.factor=${OFFSETS_RF}
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
default.replication.factor=1
min.insync.replicas=1

# Tests want consumers to join at once; the app creates its topics explicitly.
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
num.partitions=1

# Small machine (2 cores, 512 MB heap).
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
background.threads=2
log.cleaner.threads=1
# The cleaner allocates this buffer up front (default 128 MB of our 512 MB heap).
log.cleaner.dedupe.buffer.size=16777216
log.retention.hours=24
log.segment.bytes=104857600
log.retention.check.interval.ms=300000
EOF
}

format_storage() {
  # meta.properties exists once the directory has been formatted.
  [[ -f "$DATA_DIR/meta.properties" ]] && return 0
  local cluster_id
  # Last line only: log4j2 prints its own status errors on stdout, if any.
  cluster_id="$("$JAVA" -cp "$LIBS_DIR/*" -Dlog4j2.configurationFile="$LOG4J_CONFIG" \
    -Dkafka.logs.dir="$RUN_DIR" kafka.tools.StorageTool random-uuid | tail -n 1)"
  if [[ ! "$cluster_id" =~ ^[A-Za-z0-9_-]{22}$ ]]; then
    log "could not generate a cluster id (got '$cluster_id')"
    exit 1
  fi
  log "formatting $DATA_DIR (cluster id $cluster_id)"
  "$JAVA" -cp "$LIBS_DIR/*" -Dlog4j2.configurationFile="$LOG4J_CONFIG" \
    -Dkafka.logs.dir="$RUN_DIR" \
    kafka.tools.StorageTool format --config "$CONFIG" --cluster-id "$cluster_id" \
    --ignore-formatted >&2
}

launch() {
  # setsid: own session, so the JVM survives the calling shell/CI step exiting
  # and gets no SIGHUP; nohup for good measure. All fds are redirected so callers
  # that capture our output (e.g. $(...) or CI log pipes) do not hang on the JVM.
  # The inner shell writes its own pid and then execs java, so the pid is the JVM's.
  # log4j2's own shutdown hook would close the log before Kafka's hook logs its
  # shutdown, so it is disabled (the file appender flushes every line anyway).
  # shellcheck disable=SC2086  # HEAP_OPTS is a list of flags
  setsid nohup bash -c 'echo $$ >"$0"; exec "$@"' "$PID_FILE" \
    "$JAVA" $HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$LOG4J_CONFIG" -Dlog4j2.shutdownHookEnabled=false \
    -Dkafka.logs.dir="$RUN_DIR" \
    -cp "$LIBS_DIR/*" kafka.Kafka "$CONFIG" \
    </dev/null >>"$RUN_DIR/stdout.log" 2>&1 9>&- &
  # Wait for the pid file (written by the inner shell right away).
  local i
  for i in $(seq 1 50); do
    [[ -s "$PID_FILE" ]] && break
    sleep 0.1
  done
}

# Returns 1 (after printing the log tail) if the broker dies or does not answer in time.
wait_until_answering() {
  local started=$SECONDS
  while ((SECONDS - started < START_TIMEOUT)); do
    if kafka_answers; then
      log "broker answers on $HOST:$PORT after $((SECONDS - started))s (pid $(cat "$PID_FILE"))"
      return 0
    fi
    if ! our_pid >/dev/null; then
      log "the broker process exited during startup"
      tail -n 20 "$RUN_DIR/stdout.log" >&2 2>/dev/null || true
      tail_log
      return 1
    fi
    sleep 1
  done
  log "broker did not answer on $HOST:$PORT within ${START_TIMEOUT}s (KAFKA_START_TIMEOUT)"
  tail_log
  return 1
}

cmd_start() {
  if kafka_answers; then
    if our_pid >/dev/null; then
      log "broker already running on $HOST:$PORT (ours, pid $(our_pid)); reusing it"
    else
      log "a Kafka broker already answers on $HOST:$PORT (not started by this script); reusing it"
    fi
    return 0
  fi
  lock_run_dir
  # Another caller may have started one while we waited for the lock, or ours is
  # still booting: wait for it instead of starting a second JVM.
  if our_pid >/dev/null; then
    log "our broker (pid $(our_pid)) is running but not answering yet; waiting"
    wait_until_answering || exit 1
    return 0
  fi
  if tcp_open; then
    log "something that is not a Kafka broker listens on $HOST:$PORT; refusing to start"
    exit 1
  fi
  cmd_fetch
  command -v "$JAVA" >/dev/null || { log "java not found (needs Java 17+)"; exit 1; }
  write_config
  format_storage
  rm -f "$PID_FILE"
  # A marker line so the log tail on failure is easy to read.
  echo "==== scripts/kafka.sh start $(date -u +%FT%TZ) ====" >>"$LOG_FILE"
  log "starting Kafka $KAFKA_VERSION on $HOST:$PORT (controller $CONTROLLER_PORT), log $LOG_FILE"
  launch
  if ! wait_until_answering; then
    # Do not leave a half-started JVM behind (CI must end with no process).
    # The lock is released first because cmd_stop takes it again.
    exec 9>&-
    cmd_stop
    exit 1
  fi
}

# --- stop / status / reset ---------------------------------------------------

cmd_stop() {
  lock_run_dir
  local pid
  if ! pid="$(our_pid)"; then
    rm -f "$PID_FILE"
    if kafka_answers; then
      log "a broker answers on $HOST:$PORT but was not started by this script; leaving it alone"
    else
      log "not running"
    fi
    return 0
  fi
  log "stopping broker pid $pid (SIGTERM, up to ${STOP_TIMEOUT}s)"
  kill -TERM "$pid" 2>/dev/null || true
  local started=$SECONDS
  while kill -0 "$pid" 2>/dev/null && ((SECONDS - started < STOP_TIMEOUT)); do
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "still alive after ${STOP_TIMEOUT}s; SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  fi
  rm -f "$PID_FILE"
  log "stopped after $((SECONDS - started))s"
}

cmd_status() {
  local pid=""
  pid="$(our_pid)" || pid=""
  if kafka_answers; then
    if [[ -n "$pid" ]]; then
      echo "kafka: broker answers on $HOST:$PORT; ours (pid $pid, data $DATA_DIR)"
    else
      echo "kafka: broker answers on $HOST:$PORT; not started by this script"
    fi
  elif [[ -n "$pid" ]]; then
    echo "kafka: ours is running (pid $pid) but does not answer on $HOST:$PORT (starting or stuck; see $LOG_FILE)"
    return 1
  else
    echo "kafka: no broker answers on $HOST:$PORT"
    return 1
  fi
}

cmd_reset() {
  cmd_stop
  if kafka_answers; then
    log "note: a foreign broker still answers on $HOST:$PORT; only our data is deleted"
  fi
  # Keep .lock (we hold it); everything else is ours.
  find "$RUN_DIR" -mindepth 1 -maxdepth 1 ! -name .lock -exec rm -rf {} +
  log "deleted broker data in $RUN_DIR"
}

case "${1:-}" in
  fetch) cmd_fetch ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  reset) cmd_reset ;;
  *)
    echo "usage: $0 {fetch|start|stop|status|reset}" >&2
    exit 2
    ;;
esac
