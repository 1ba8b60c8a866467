-- Runs once, when the postgres container starts on an EMPTY data volume
-- (docker-entrypoint-initdb.d). Changing it later has no effect on an existing
-- volume: create roles/databases by hand there, or start from a fresh volume.
--
-- The cluster superuser is POSTGRES_USER (temporal); the postgres image creates
-- its `temporal` database and Temporal's auto-setup creates `temporal_visibility`.
-- This script adds the ledger: a non-superuser `furusato` that owns `furusato`.
-- The password comes from the container's FURUSATO_DB_PASSWORD (psql \getenv,
-- PostgreSQL 15+), so it is never written into this file.

\set ON_ERROR_STOP on
\getenv furusato_db_password FURUSATO_DB_PASSWORD

\if :{?furusato_db_password}
\else
  \warn 'FURUSATO_DB_PASSWORD is not set in the postgres container'
  DO $$ BEGIN RAISE EXCEPTION 'FURUSATO_DB_PASSWORD must be set to create the ledger role'; END $$;
\endif

CREATE ROLE furusato LOGIN PASSWORD :'furusato_db_password';
CREATE DATABASE furusato OWNER furusato ENCODING 'UTF8' TEMPLATE template0;

-- Only the ledger role (and the superuser) may connect to the ledger.
REVOKE CONNECT, TEMPORARY ON DATABASE furusato FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE furusato TO furusato;
