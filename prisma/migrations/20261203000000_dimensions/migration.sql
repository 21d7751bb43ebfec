-- Session dimensions (docs/dimensions.md): one column per session dimension of src/core/dimensions/registry.ts,
-- the value of the first event of the session that carries dimensions. Sessions written before
-- this migration get the unknown values until a rebuild (npm run etl -- --rebuild) reads their logs again.
ALTER TABLE "session_facts"
  ADD COLUMN "channel" TEXT NOT NULL DEFAULT 'Direct',
  ADD COLUMN "referrer" TEXT NOT NULL DEFAULT '(none)',
  ADD COLUMN "utm_source" TEXT NOT NULL DEFAULT '(none)',
  ADD COLUMN "utm_medium" TEXT NOT NULL DEFAULT '(none)',
  ADD COLUMN "utm_campaign" TEXT NOT NULL DEFAULT '(none)',
  ADD COLUMN "utm_term" TEXT NOT NULL DEFAULT '(none)',
  ADD COLUMN "utm_content" TEXT NOT NULL DEFAULT '(none)',
  ADD COLUMN "entry_page" TEXT NOT NULL DEFAULT '(none)',
  ADD COLUMN "exit_page" TEXT NOT NULL DEFAULT '(none)',
  ADD COLUMN "hostname" TEXT NOT NULL DEFAULT 'unknown',
  ADD COLUMN "country" TEXT NOT NULL DEFAULT 'unknown',
  ADD COLUMN "language" TEXT NOT NULL DEFAULT 'unknown',
  ADD COLUMN "device" TEXT NOT NULL DEFAULT 'unknown',
  ADD COLUMN "browser" TEXT NOT NULL DEFAULT 'unknown',
  ADD COLUMN "browser_version" TEXT NOT NULL DEFAULT 'unknown',
  ADD COLUMN "os" TEXT NOT NULL DEFAULT 'unknown';

-- Custom events (any type but the five built-in ones) per session, date and type.
CREATE TABLE "event_facts" (
    "site_id" UUID NOT NULL,
    "session_id" TEXT NOT NULL,
    "date" DATE NOT NULL,
    "event_type" TEXT NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "event_facts_pkey" PRIMARY KEY ("site_id","session_id","date","event_type")
);

CREATE INDEX "event_facts_site_id_date_idx" ON "event_facts"("site_id", "date");
