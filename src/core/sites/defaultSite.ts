/**
 * The site that everything made before sites existed belongs to (prisma/migrations/*_sites):
 * its keys, facts and aggregates, and log files in the layout without a site folder.
 */
export const DEFAULT_SITE_ID = "00000000-0000-4000-8000-000000000001";
