import { z } from "zod";
import { textProblem } from "../events/text";
import { HostnameError, normalizeHostnames } from "./hostnames";
import { isTimeZone } from "./timeZone";

/** What a site's settings form and `npm run site:*` accept (docs/sites.md). */

export const siteNameSchema = z
  .string()
  .trim()
  .min(1, "Give the site a name")
  .max(100, "At most 100 characters")
  .refine((v) => textProblem(v, "id") === undefined, "The name must not contain control characters");

export const hostnamesSchema = z
  .array(z.string().max(253))
  .max(200)
  .transform((list, ctx) => {
    try {
      return normalizeHostnames(list);
    } catch (err) {
      if (!(err instanceof HostnameError)) throw err;
      ctx.addIssue({ code: "custom", message: err.message });
      return z.NEVER;
    }
  });

export const timeZoneSchema = z.string().refine(isTimeZone, "Not a time zone name the server knows (e.g. Europe/Berlin, UTC)");

export const siteInputSchema = z.object({
  name: siteNameSchema,
  hostnames: hostnamesSchema.default([]),
  timeZone: timeZoneSchema.default("UTC"),
});

export const siteUpdateSchema = siteInputSchema.partial();

export type SiteInput = z.input<typeof siteInputSchema>;
export type SiteUpdate = z.input<typeof siteUpdateSchema>;
