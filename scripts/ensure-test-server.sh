#!/usr/bin/env bash
# Prints the path of a launcher for Temporal's time-skipping test server on stdout,
# building it when there is none. The launcher takes the port as its first argument, as
# @temporalio/testing's `existing-path` executable does.
#  - TEMPORAL_TEST_SERVER, when set, names the launcher to use (checked, not built).
#  - Otherwise .tools/temporal-test-server/test-server: the Java test server pinned in
#    scripts/temporal-test-server.pom.xml, its jars resolved from Maven Central with mvn
#    into a repository of the project's own. Built again when the pom changes.
# The launcher starts the JVM from a class-data archive made here once: the SDK gives
# the server 5 seconds to answer, and a cold JVM on a busy machine comes close to that.
# Progress goes to stderr. Needs java (17 or later) and mvn.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pom="$root/scripts/temporal-test-server.pom.xml"
dir="$root/.tools/temporal-test-server"
launcher="$dir/test-server"
stamp="$dir/.built-from-pom"

if [ -n "${TEMPORAL_TEST_SERVER:-}" ]; then
  if [ ! -x "$TEMPORAL_TEST_SERVER" ]; then
    echo "TEMPORAL_TEST_SERVER=$TEMPORAL_TEST_SERVER is not an executable file" >&2
    exit 1
  fi
  echo "$TEMPORAL_TEST_SERVER"
  exit 0
fi

# Up to date when the launcher was built from exactly this pom.
if [ -x "$launcher" ] && [ -f "$stamp" ] && cmp -s "$pom" "$stamp"; then
  echo "$launcher"
  exit 0
fi

java=${JAVA_HOME:+$JAVA_HOME/bin/java}
[ -n "$java" ] && [ -x "$java" ] || java=$(command -v java || true)
if [ -z "$java" ]; then
  echo "No java found: install a JDK of 17 or later (Debian: apt-get install default-jdk-headless) and run this again, or set TEMPORAL_TEST_SERVER." >&2
  exit 1
fi
mvn=$(command -v mvn || true)
if [ -z "$mvn" ]; then
  echo "No mvn found: install Maven (Debian: apt-get install maven) and run this again, or set TEMPORAL_TEST_SERVER." >&2
  exit 1
fi

echo "Resolving the Temporal test server into .tools/temporal-test-server with $mvn ..." >&2
rm -rf "$dir"
mkdir -p "$dir"
# Maven's log is shown only when it fails: a quiet Maven still prints colour codes.
if ! "$mvn" --batch-mode -f "$pom" -Dmaven.repo.local="$dir/repository" \
  dependency:build-classpath -Dmdep.outputFile="$dir/classpath" >"$dir/mvn.log" 2>&1; then
  cat "$dir/mvn.log" >&2
  echo "mvn could not resolve the test server (log above, and in $dir/mvn.log)" >&2
  exit 1
fi
classpath=$(cat "$dir/classpath")

# The JIT's first tier and the serial collector: a test server lives for one test file.
jvm_options=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC)

# The class-data archive: the classes a started server has loaded, dumped when it exits.
port_is_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=$((20000 + RANDOM % 30000))
while port_is_open "$port"; do port=$((20000 + RANDOM % 30000)); done
"$java" "${jvm_options[@]}" -XX:ArchiveClassesAtExit="$dir/classes.jsa" -cp "$classpath" \
  io.temporal.testserver.TestServer "$port" >/dev/null 2>&1 &
training=$!
for _ in $(seq 1 300); do
  port_is_open "$port" && break
  kill -0 "$training" 2>/dev/null || { echo "the test server exited before it listened on port $port" >&2; exit 1; }
  sleep 0.1
done
kill "$training"
wait "$training" || true
[ -f "$dir/classes.jsa" ] || { echo "the test server left no class-data archive at $dir/classes.jsa" >&2; exit 1; }

cat > "$launcher" <<LAUNCHER
#!/usr/bin/env bash
# Written by scripts/ensure-test-server.sh. Usage: test-server <port>
exec "$java" ${jvm_options[*]} -XX:SharedArchiveFile="$dir/classes.jsa" -cp "$classpath" io.temporal.testserver.TestServer "\$@"
LAUNCHER
chmod +x "$launcher"
cp "$pom" "$stamp"
echo "Built $launcher" >&2
echo "$launcher"
