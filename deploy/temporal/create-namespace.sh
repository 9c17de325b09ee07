#!/bin/sh
# Creates the connector's namespace when missing (runs once, in temporalio/admin-tools).
set -eu
namespace="${TEMPORAL_NAMESPACE:-default}"
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" | grep -q SERVING; do sleep 2; done
temporal operator namespace describe -n "$namespace" --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1 \
  || temporal operator namespace create -n "$namespace" --retention 30d --address "$TEMPORAL_ADDRESS"
