import { z } from "zod";

/**
 * local@host, where host may be a single label: a self-hosted admin is often admin@localhost or
 * ops@intranet, which z.email() refuses. Still refuses what cannot be an address (spaces, no @,
 * empty parts, bad host labels).
 */
export const emailSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/,
    "must be an email address such as you@example.com or admin@localhost",
  );
