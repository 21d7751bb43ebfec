-- The sessions each fact-changing transaction rewrote, listed when there are few of them
-- (docs/dashboard-store.md): the dashboard copy of the facts then reloads just those sessions
-- instead of every (site, date) pair in fact_versions. NULL lists: not listed, use the pairs.
-- Only the latest thousand versions are kept, and an older copy uses the pairs.
CREATE TABLE "fact_session_changes" (
    "version" BIGINT NOT NULL,
    "site_ids" UUID[],
    "session_ids" TEXT[],

    CONSTRAINT "fact_session_changes_pkey" PRIMARY KEY ("version")
);
