#!/bin/sh
# One-shot of the compose stack (temporalio/admin-tools): waits until the Temporal frontend
# serves, then creates Parker's namespace when it is missing. The worker and the schedule
# sync start once this has succeeded.
set -eu
until temporal operator cluster health --address temporal:7233 >/dev/null 2>&1; do
  echo "waiting for the Temporal frontend"
  sleep 2
done
if temporal operator namespace describe --address temporal:7233 --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1; then
  echo "namespace $TEMPORAL_NAMESPACE exists"
else
  temporal operator namespace create --address temporal:7233 --namespace "$TEMPORAL_NAMESPACE" --retention "${TEMPORAL_RETENTION:-7d}"
fi
