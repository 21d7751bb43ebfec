-- Publishable keys (pk_…) are public: they sit in the site's pages. Keeping the whole key lets the
-- keys page show the snippet with it at any time. Secret keys keep only their hash (NULL here).
-- Publishable keys made before this have no stored key: the page offers to create a new one.
ALTER TABLE "api_keys" ADD COLUMN "public_key" TEXT;
