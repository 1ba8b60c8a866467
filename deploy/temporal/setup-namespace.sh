#!/bin/sh
# One-shot job (docker-compose.yml service temporal-namespace, temporalio/admin-tools
# image) that runs once the Temporal server is healthy: registers the namespace
# (the retention only applies when it is created) and the donation search
# attributes, then exits. Idempotent.
#
# The application also registers missing search attributes at start-up;
# doing it here first means the workers, which upsert them, never meet a
# namespace without them. Names and types must match
# domain/search-attributes.ts (`npm run tools:temporal-server -- --check`
# compares them).
#
# Reads TEMPORAL_ADDRESS (as the CLI does), NAMESPACE and RETENTION.
set -u

addr="$TEMPORAL_ADDRESS"
ns="$NAMESPACE"

retry() {
  what=$1
  shift
  tries=0
  until "$@"; do
    tries=$((tries + 1))
    if [ "$tries" -ge 60 ]; then
      echo "$what: gave up after 5 minutes" >&2
      exit 1
    fi
    echo "$what: not yet, retrying in 5 s"
    sleep 5
  done
}

ensure_namespace() {
  temporal operator namespace describe --address "$addr" --namespace "$ns" >/dev/null 2>&1 && return 0
  out=$(temporal operator namespace create --address "$addr" --namespace "$ns" --retention "$RETENTION" 2>&1) && {
    echo "namespace $ns created (retention $RETENTION)"
    return 0
  }
  echo "$out" | grep -qi 'already' && return 0
  echo "$out" >&2
  return 1
}

# A new namespace reaches the frontend's namespace registry within seconds;
# listing its search attributes only works once it has.
namespace_usable() {
  temporal operator search-attribute list --address "$addr" --namespace "$ns" >/dev/null 2>&1
}

retry "register namespace $ns on $addr" ensure_namespace
retry "namespace $ns usable on $addr" namespace_usable

failed=0
for attr in DonationPortal=Keyword DonationStatus=Keyword DonationPaymentDate=Datetime DocumentsDeadline=Datetime DonationReviewFlags=KeywordList DonationImportLate=Bool; do
  name="${attr%%=*}"
  type="${attr#*=}"
  if out=$(temporal operator search-attribute create --address "$addr" --namespace "$ns" --name "$name" --type "$type" 2>&1); then
    echo "search attribute $name ($type) registered"
  elif echo "$out" | grep -qi 'different type'; then
    echo "search attribute $name exists with another type: $out" >&2
    failed=1
  elif echo "$out" | grep -qi 'already exists'; then
    echo "search attribute $name ($type) already exists"
  else
    echo "could not create search attribute $name ($type): $out" >&2
    failed=1
  fi
done
exit "$failed"
