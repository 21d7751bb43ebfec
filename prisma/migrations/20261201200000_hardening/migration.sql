-- CreateEnum
CREATE TYPE "EtlQuarantineKind" AS ENUM ('line', 'session', 'file');

-- AlterEnum
ALTER TYPE "ApiKeyScope" ADD VALUE 'backfill';

-- AlterTable
ALTER TABLE "etl_runs" ADD COLUMN     "quarantined" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "etl_file_cursors" ADD COLUMN     "head_bytes" INTEGER,
ADD COLUMN     "head_hash" TEXT,
ADD COLUMN     "inode" TEXT,
ADD COLUMN     "mtime_ms" BIGINT;

-- AlterTable
ALTER TABLE "session_facts" ADD COLUMN     "event_hours" INTEGER[];

-- AlterTable
ALTER TABLE "session_metrics" ALTER COLUMN "avg_page_views" SET DATA TYPE DECIMAL(14,2);

-- AlterTable
ALTER TABLE "click_through_rates" ALTER COLUMN "ctr" SET DATA TYPE DECIMAL(14,2);

-- CreateTable
CREATE TABLE "etl_quarantine" (
    "id" SERIAL NOT NULL,
    "run_id" INTEGER NOT NULL,
    "kind" "EtlQuarantineKind" NOT NULL,
    "file" TEXT NOT NULL,
    "byte_offset" BIGINT NOT NULL,
    "line_bytes" INTEGER NOT NULL DEFAULT 0,
    "session_key" TEXT,
    "reason" TEXT NOT NULL,
    "excerpt" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "etl_quarantine_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "etl_quarantine_created_at_idx" ON "etl_quarantine"("created_at");

-- CreateIndex
CREATE INDEX "etl_quarantine_session_key_idx" ON "etl_quarantine"("session_key");

