-- Runs once, on first start of the postgres container with an empty data
-- volume (files in /docker-entrypoint-initdb.d are skipped afterwards).
-- One database per service; they are owned by POSTGRES_USER, which every
-- service connects as in the development stack. Schemas are created by each
-- service's one-shot "<name>-migrate" job (Alembic), not here.
CREATE DATABASE personnel;
CREATE DATABASE training;
CREATE DATABASE cases;
CREATE DATABASE supervision;
CREATE DATABASE gateway;
