#!/bin/bash
# Starts fauxqs, runs the ready hooks LocalStack runs (/etc/localstack/init/ready.d/*.sh)
# once it answers, then prints "Ready." as LocalStack does. Stops with fauxqs.
set -euo pipefail

node /opt/fauxqs/serve.mjs &
server=$!
trap 'kill -TERM "$server" 2>/dev/null' TERM INT

for attempt in $(seq 1 100); do
  if node -e "fetch('http://127.0.0.1:${FAUXQS_PORT}/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; then
    break
  fi
  if ! kill -0 "$server" 2>/dev/null || [ "$attempt" = 100 ]; then
    echo "fauxqs did not start on port ${FAUXQS_PORT}" >&2
    exit 1
  fi
  sleep 0.1
done

for hook in /etc/localstack/init/ready.d/*.sh; do
  [ -e "$hook" ] || continue
  echo "running $hook"
  bash "$hook"
done
echo "Ready."
wait "$server"
