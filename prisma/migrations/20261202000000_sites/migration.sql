-- Sites, members and roles (docs/sites.md). Everything that existed before sites moves into one
-- site named "default" with a fixed id (src/core/sites/defaultSite.ts), so nothing is lost. Its
-- keys keep working (as secret keys), its facts and aggregates keep their numbers, and log files
-- written before sites (events/YYYY-MM-DD/HH.jsonl) keep being read as the default site files.
-- (No semicolons or quotes in these comments: the migration runner splits statements on them.)

-- CreateEnum
CREATE TYPE "ApiKeyKind" AS ENUM ('secret', 'publishable');
CREATE TYPE "UserRole" AS ENUM ('admin', 'member');
CREATE TYPE "SiteRole" AS ENUM ('viewer', 'editor');

-- CreateTable
CREATE TABLE "sites" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "hostnames" TEXT[],
    "time_zone" TEXT NOT NULL DEFAULT 'UTC',
    "share_token" TEXT,
    "recompute_requested_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sites_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "sites_share_token_key" ON "sites"("share_token");

INSERT INTO "sites" ("id", "name", "hostnames", "time_zone", "updated_at")
VALUES ('00000000-0000-4000-8000-000000000001', 'default', '{}', 'UTC', CURRENT_TIMESTAMP);

CREATE TABLE "site_members" (
    "site_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "role" "SiteRole" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "site_members_pkey" PRIMARY KEY ("site_id","user_id")
);
CREATE INDEX "site_members_user_id_idx" ON "site_members"("user_id");

CREATE TABLE "user_invites" (
    "token_hash" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "user_invites_pkey" PRIMARY KEY ("token_hash")
);
CREATE INDEX "user_invites_user_id_idx" ON "user_invites"("user_id");

-- Users made before roles existed were the admins of a one-site install.
ALTER TABLE "users" ADD COLUMN "role" "UserRole" NOT NULL DEFAULT 'member';
UPDATE "users" SET "role" = 'admin';

-- Keys made before keep working, as secret keys of the default site.
ALTER TABLE "api_keys" ADD COLUMN "kind" "ApiKeyKind" NOT NULL DEFAULT 'secret',
ADD COLUMN "site_id" UUID NOT NULL DEFAULT '00000000-0000-4000-8000-000000000001';
ALTER TABLE "api_keys" ALTER COLUMN "site_id" DROP DEFAULT;
CREATE INDEX "api_keys_site_id_idx" ON "api_keys"("site_id");

ALTER TABLE "etl_quarantine" ADD COLUMN "site_id" UUID;
UPDATE "etl_quarantine" SET "site_id" = '00000000-0000-4000-8000-000000000001' WHERE "kind" <> 'file' OR "file" LIKE 'events/%';
DROP INDEX "etl_quarantine_created_at_idx";
CREATE INDEX "etl_quarantine_site_id_created_at_idx" ON "etl_quarantine"("site_id", "created_at");

-- Facts and aggregates: site_id first in every key. Existing rows belong to the default site.
DROP INDEX "session_facts_date_idx";
ALTER TABLE "session_facts" DROP CONSTRAINT "session_facts_pkey",
ADD COLUMN "site_id" UUID NOT NULL DEFAULT '00000000-0000-4000-8000-000000000001',
ADD CONSTRAINT "session_facts_pkey" PRIMARY KEY ("site_id", "session_id");
ALTER TABLE "session_facts" ALTER COLUMN "site_id" DROP DEFAULT;
CREATE INDEX "session_facts_site_id_date_idx" ON "session_facts"("site_id", "date");

DROP INDEX "page_visit_facts_date_page_path_idx";
ALTER TABLE "page_visit_facts" DROP CONSTRAINT "page_visit_facts_pkey",
ADD COLUMN "site_id" UUID NOT NULL DEFAULT '00000000-0000-4000-8000-000000000001',
ADD CONSTRAINT "page_visit_facts_pkey" PRIMARY KEY ("site_id", "session_id", "date", "page_path");
ALTER TABLE "page_visit_facts" ALTER COLUMN "site_id" DROP DEFAULT;
CREATE INDEX "page_visit_facts_site_id_date_page_path_idx" ON "page_visit_facts"("site_id", "date", "page_path");

DROP INDEX "click_facts_date_idx";
ALTER TABLE "click_facts" DROP CONSTRAINT "click_facts_pkey",
ADD COLUMN "site_id" UUID NOT NULL DEFAULT '00000000-0000-4000-8000-000000000001',
ADD CONSTRAINT "click_facts_pkey" PRIMARY KEY ("site_id", "session_id", "date", "page_path", "button_id");
ALTER TABLE "click_facts" ALTER COLUMN "site_id" DROP DEFAULT;
CREATE INDEX "click_facts_site_id_date_idx" ON "click_facts"("site_id", "date");

ALTER TABLE "session_metrics" DROP CONSTRAINT "session_metrics_pkey",
ADD COLUMN "site_id" UUID NOT NULL DEFAULT '00000000-0000-4000-8000-000000000001',
ADD CONSTRAINT "session_metrics_pkey" PRIMARY KEY ("site_id", "date");
ALTER TABLE "session_metrics" ALTER COLUMN "site_id" DROP DEFAULT;

DROP INDEX "page_engagement_total_visits_idx";
ALTER TABLE "page_engagement" DROP CONSTRAINT "page_engagement_pkey",
ADD COLUMN "site_id" UUID NOT NULL DEFAULT '00000000-0000-4000-8000-000000000001',
ADD CONSTRAINT "page_engagement_pkey" PRIMARY KEY ("site_id", "date", "page_path");
ALTER TABLE "page_engagement" ALTER COLUMN "site_id" DROP DEFAULT;
CREATE INDEX "page_engagement_site_id_total_visits_idx" ON "page_engagement"("site_id", "total_visits");

DROP INDEX "click_through_rates_ctr_idx";
ALTER TABLE "click_through_rates" DROP CONSTRAINT "click_through_rates_pkey",
ADD COLUMN "site_id" UUID NOT NULL DEFAULT '00000000-0000-4000-8000-000000000001',
ADD CONSTRAINT "click_through_rates_pkey" PRIMARY KEY ("site_id", "date", "page_path", "button_id");
ALTER TABLE "click_through_rates" ALTER COLUMN "site_id" DROP DEFAULT;
CREATE INDEX "click_through_rates_site_id_ctr_idx" ON "click_through_rates"("site_id", "ctr");

-- AddForeignKey
ALTER TABLE "site_members" ADD CONSTRAINT "site_members_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "sites"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "site_members" ADD CONSTRAINT "site_members_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "user_invites" ADD CONSTRAINT "user_invites_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "sites"("id") ON DELETE CASCADE ON UPDATE CASCADE;
