-- The shard of the sites an ETL pass covered (cron.etl_shards), null for a pass over every site,
-- and the process that ran it (hostname/pid), to tell several ETL workers apart.
ALTER TABLE "etl_runs" ADD COLUMN "shard" INTEGER;
ALTER TABLE "etl_runs" ADD COLUMN "worker" TEXT;
