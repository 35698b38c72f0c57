#!/usr/bin/env bash
# Makes a MariaDB server available on 127.0.0.1:3306 with a password user for Parker:
# installs Debian's mariadb-server when absent, starts it when down, waits until it
# answers, then creates the user over the root socket (root over TCP is refused on a
# fresh install). Needs root. Idempotent.
#
#   PARKER_DB_USER      (default parker)
#   PARKER_DB_PASSWORD  (default parker)
# The user may create and drop databases named parker and parker_* (tests make their own).
set -euo pipefail

user=${PARKER_DB_USER:-parker}
password=${PARKER_DB_PASSWORD:-parker}

if [ ! -x /usr/sbin/mariadbd ]; then
  echo "Installing mariadb-server from Debian..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q mariadb-server >&2
fi

if ! mariadb-admin --protocol=socket ping >/dev/null 2>&1; then
  echo "Starting MariaDB..." >&2
  install -d -o mysql -g mysql /run/mysqld
  [ -d /var/lib/mysql/mysql ] || mariadb-install-db --user=mysql --datadir=/var/lib/mysql >&2
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
fi

for _ in $(seq 1 60); do
  mariadb-admin --protocol=socket ping >/dev/null 2>&1 && break
  sleep 1
done
mariadb-admin --protocol=socket ping >/dev/null 2>&1 || { echo "MariaDB did not answer within 60s" >&2; exit 1; }

mariadb --protocol=socket <<SQL
CREATE USER IF NOT EXISTS '$user'@'localhost' IDENTIFIED BY '$password';
CREATE USER IF NOT EXISTS '$user'@'127.0.0.1' IDENTIFIED BY '$password';
ALTER USER '$user'@'localhost' IDENTIFIED BY '$password';
ALTER USER '$user'@'127.0.0.1' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON \`parker\`.* TO '$user'@'localhost', '$user'@'127.0.0.1';
GRANT ALL PRIVILEGES ON \`parker\\_%\`.* TO '$user'@'localhost', '$user'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL
echo "MariaDB is up; user $user can use databases parker and parker_*" >&2
