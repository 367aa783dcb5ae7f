#!/bin/sh
# First start of the `postgres` service of docker-compose.yml (run once, by the image's
# entrypoint from /docker-entrypoint-initdb.d, while the data volume is still empty): one
# role and one database per consumer, neither of them a superuser.
#   teletravail  the application's tables (API, actions, Tchap bot; Alembic migrations)
#   rasa         Rasa's conversations (bot/tracker_store.py)
# Passwords come from the container's environment (.env), read by psql itself (\getenv,
# psql 15+) and quoted by it: they never appear on a command line. Changing one later:
#   docker-compose exec postgres psql -U postgres -c "ALTER ROLE rasa PASSWORD '…'"
set -eu

: "${TELETRAVAIL_DB_PASSWORD:?TELETRAVAIL_DB_PASSWORD manquant}"
: "${RASA_DB_PASSWORD:?RASA_DB_PASSWORD manquant}"

psql --set ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres <<'SQL'
\getenv app_password TELETRAVAIL_DB_PASSWORD
\getenv rasa_password RASA_DB_PASSWORD
CREATE ROLE teletravail LOGIN PASSWORD :'app_password';
CREATE DATABASE teletravail OWNER teletravail;
REVOKE ALL ON DATABASE teletravail FROM PUBLIC;
CREATE ROLE rasa LOGIN PASSWORD :'rasa_password';
CREATE DATABASE rasa OWNER rasa;
REVOKE ALL ON DATABASE rasa FROM PUBLIC;
SQL
