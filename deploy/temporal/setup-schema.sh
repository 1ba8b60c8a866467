#!/bin/sh
# One-shot job (docker-compose.yml service temporal-schema, temporalio/admin-tools
# image) that runs before the Temporal server: creates the two databases when
# missing and brings both schemas up to the server version of the image. Each
# step is idempotent, so the job runs on every `docker compose up`; after an
# image upgrade it applies the new schema versions before the new server starts.
#
# temporal-sql-tool reads SQL_PLUGIN, SQL_HOST, SQL_PORT, SQL_USER and
# SQL_PASSWORD from the environment; this script adds TEMPORAL_DB and
# TEMPORAL_VISIBILITY_DB.
set -eu

# The image keeps the server's schema here; overridable to try this script elsewhere.
schemas=${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema}/postgresql/v12

prepare() {
  db=$1
  kind=$2
  echo "== $db ($kind)"
  # Up to a minute of retries: postgres reports healthy before every
  # connection from another container is guaranteed to get through.
  tries=0
  until temporal-sql-tool --database "$db" create-database; do
    tries=$((tries + 1))
    [ "$tries" -lt 12 ] || { echo "cannot create or reach database $db on $SQL_HOST:$SQL_PORT" >&2; exit 1; }
    sleep 5
  done
  # Version bookkeeping tables only; a database already past 0.0 keeps its version.
  temporal-sql-tool --database "$db" setup-schema -v 0.0
  temporal-sql-tool --database "$db" update-schema -d "$schemas/$kind/versioned"
}

prepare "$TEMPORAL_DB" temporal
prepare "$TEMPORAL_VISIBILITY_DB" visibility
echo "Temporal schema ready"
