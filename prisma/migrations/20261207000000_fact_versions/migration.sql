-- Which facts changed, in commit order (docs/dashboard-store.md): the dashboard's columnar copy
-- of the facts (src/core/store) reads only the (site, date) pairs written since its last sync.

-- One row: bumped by every transaction that changes facts, as its last write, so the row lock
-- orders the bumps as the commits are ordered and a reader never misses a version.
CREATE TABLE "data_version" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "version" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "data_version_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "data_version_one_row" CHECK ("id" = 1)
);
INSERT INTO "data_version" ("id", "version") VALUES (1, 0);

-- The data_version at which the facts of each (site, date) last changed. Date -infinity stands
-- for every date of the site (a time zone change, a deleted site, a rebuild).
CREATE TABLE "fact_versions" (
    "site_id" UUID NOT NULL,
    "date" DATE NOT NULL,
    "version" BIGINT NOT NULL,

    CONSTRAINT "fact_versions_pkey" PRIMARY KEY ("site_id","date")
);

CREATE INDEX "fact_versions_version_idx" ON "fact_versions"("version");
