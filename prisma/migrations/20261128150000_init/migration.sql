-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "ApiKeyScope" AS ENUM ('ingest', 'read');

-- CreateEnum
CREATE TYPE "EtlRunStatus" AS ENUM ('running', 'succeeded', 'failed');

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "scopes" "ApiKeyScope"[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "password_hash" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "etl_runs" (
    "id" SERIAL NOT NULL,
    "trigger" TEXT NOT NULL,
    "status" "EtlRunStatus" NOT NULL DEFAULT 'running',
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "events_read" INTEGER NOT NULL DEFAULT 0,
    "sessions_recomputed" INTEGER NOT NULL DEFAULT 0,
    "days_recomputed" INTEGER NOT NULL DEFAULT 0,
    "rows_written" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,

    CONSTRAINT "etl_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "etl_file_cursors" (
    "path" TEXT NOT NULL,
    "bytes" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "etl_file_cursors_pkey" PRIMARY KEY ("path")
);

-- CreateTable
CREATE TABLE "session_facts" (
    "session_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "date" DATE NOT NULL,
    "start_time" TIMESTAMPTZ(3) NOT NULL,
    "end_time" TIMESTAMPTZ(3) NOT NULL,
    "duration_ms" BIGINT NOT NULL,
    "page_views" INTEGER NOT NULL,
    "last_event_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "session_facts_pkey" PRIMARY KEY ("session_id")
);

-- CreateTable
CREATE TABLE "page_visit_facts" (
    "session_id" TEXT NOT NULL,
    "date" DATE NOT NULL,
    "page_path" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "visits" INTEGER NOT NULL,
    "timed_visits" INTEGER NOT NULL,
    "time_spent_ms" BIGINT NOT NULL,

    CONSTRAINT "page_visit_facts_pkey" PRIMARY KEY ("session_id","date","page_path")
);

-- CreateTable
CREATE TABLE "click_facts" (
    "session_id" TEXT NOT NULL,
    "date" DATE NOT NULL,
    "page_path" TEXT NOT NULL,
    "button_id" TEXT NOT NULL,
    "clicks" INTEGER NOT NULL,

    CONSTRAINT "click_facts_pkey" PRIMARY KEY ("session_id","date","page_path","button_id")
);

-- CreateTable
CREATE TABLE "session_metrics" (
    "date" DATE NOT NULL,
    "total_sessions" INTEGER NOT NULL,
    "unique_users" INTEGER NOT NULL,
    "avg_duration_seconds" DECIMAL(14,2) NOT NULL,
    "avg_page_views" DECIMAL(10,2) NOT NULL,
    "total_page_views" INTEGER NOT NULL,
    "bounce_rate" DECIMAL(5,2) NOT NULL,

    CONSTRAINT "session_metrics_pkey" PRIMARY KEY ("date")
);

-- CreateTable
CREATE TABLE "page_engagement" (
    "date" DATE NOT NULL,
    "page_path" TEXT NOT NULL,
    "total_visits" INTEGER NOT NULL,
    "unique_users" INTEGER NOT NULL,
    "total_time_spent_seconds" DECIMAL(16,3) NOT NULL,
    "avg_time_spent_seconds" DECIMAL(14,2),

    CONSTRAINT "page_engagement_pkey" PRIMARY KEY ("date","page_path")
);

-- CreateTable
CREATE TABLE "click_through_rates" (
    "date" DATE NOT NULL,
    "page_path" TEXT NOT NULL,
    "button_id" TEXT NOT NULL,
    "clicks" INTEGER NOT NULL,
    "views" INTEGER NOT NULL,
    "ctr" DECIMAL(12,2),

    CONSTRAINT "click_through_rates_pkey" PRIMARY KEY ("date","page_path","button_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_prefix_key" ON "api_keys"("prefix");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_hash_key" ON "api_keys"("hash");

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE INDEX "etl_runs_started_at_idx" ON "etl_runs"("started_at");

-- CreateIndex
CREATE INDEX "session_facts_date_idx" ON "session_facts"("date");

-- CreateIndex
CREATE INDEX "page_visit_facts_date_page_path_idx" ON "page_visit_facts"("date", "page_path");

-- CreateIndex
CREATE INDEX "click_facts_date_idx" ON "click_facts"("date");

-- CreateIndex
CREATE INDEX "page_engagement_total_visits_idx" ON "page_engagement"("total_visits");

-- CreateIndex
CREATE INDEX "click_through_rates_ctr_idx" ON "click_through_rates"("ctr");

