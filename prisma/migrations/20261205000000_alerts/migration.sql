-- Alert rules of a site and their firings, at most one per rule and window (docs/alerts.md).
CREATE TABLE "alert_rules" (
    "id" UUID NOT NULL,
    "site_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "event_type" TEXT,
    "window" TEXT NOT NULL,
    "condition" TEXT NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL,
    "emails" TEXT[],
    "webhook_url" TEXT,
    "secret" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "alert_rules_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "alert_rules_site_id_idx" ON "alert_rules"("site_id");
ALTER TABLE "alert_rules" ADD CONSTRAINT "alert_rules_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "sites"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "alert_firings" (
    "id" SERIAL NOT NULL,
    "rule_id" UUID NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "baseline" DOUBLE PRECISION,
    "fired_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "email_status" TEXT NOT NULL DEFAULT 'pending',
    "webhook_status" TEXT NOT NULL DEFAULT 'pending',
    CONSTRAINT "alert_firings_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "alert_firings_rule_id_window_start_key" ON "alert_firings"("rule_id", "window_start");
ALTER TABLE "alert_firings" ADD CONSTRAINT "alert_firings_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "alert_rules"("id") ON DELETE CASCADE ON UPDATE CASCADE;
