#!/bin/sh
# One-shot of the compose stack (temporalio/admin-tools): creates Temporal's two databases
# on its PostgreSQL when missing and brings their schemas to this release's version.
# Safe to run again: update-schema applies only the versions a database does not have.
set -eu
sql() {
  temporal-sql-tool --plugin postgres12 --ep temporal-postgresql -p 5432 -u temporal --pw "$TEMPORAL_DB_PASSWORD" "$@"
}
for db in temporal temporal_visibility; do
  # create-database fails when the database exists; the schema steps below fail loudly
  # when it does not and cannot be reached.
  sql --db "$db" create-database 2>/dev/null || echo "database $db exists"
  sql --db "$db" setup-schema -v 0.0
done
sql --db temporal update-schema -d /etc/temporal/schema/postgresql/v12/temporal/versioned
sql --db temporal_visibility update-schema -d /etc/temporal/schema/postgresql/v12/visibility/versioned
