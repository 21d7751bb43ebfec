-- Members' email reports of a site, sent once per weekly or monthly period (docs/reports.md).
CREATE TABLE "report_subscriptions" (
    "id" UUID NOT NULL,
    "site_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "frequency" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "last_sent_period" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "report_subscriptions_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "report_subscriptions_token_key" ON "report_subscriptions"("token");
CREATE UNIQUE INDEX "report_subscriptions_site_id_user_id_frequency_key" ON "report_subscriptions"("site_id", "user_id", "frequency");
ALTER TABLE "report_subscriptions" ADD CONSTRAINT "report_subscriptions_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "sites"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "report_subscriptions" ADD CONSTRAINT "report_subscriptions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
