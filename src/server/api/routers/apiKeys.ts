import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { API_KEY_SCOPES, ApiKeyInputError, createApiKey, listApiKeys, revokeApiKey, type ApiKeyScope } from "@/core/db/apiKeys";
import { createTRPCRouter, siteEditorProcedure } from "@/server/api/trpc";

const scopeSchema = z.enum(API_KEY_SCOPES as [ApiKeyScope, ...ApiKeyScope[]]);

/** A site's keys, thin over src/core/db/apiKeys (the same functions `npm run apikey:create` and ingest use). */
export const apiKeysRouter = createTRPCRouter({
  list: siteEditorProcedure.query(async ({ ctx }) => {
    const keys = await listApiKeys(ctx.site.id);
    return keys.map((k) => ({ ...k, status: k.revokedAt ? ("revoked" as const) : ("active" as const) }));
  }),

  /** The secret is in this response only; it is stored as a hash and cannot be shown again. */
  create: siteEditorProcedure
    .input(
      z.discriminatedUnion("kind", [
        z.object({
          kind: z.literal("secret"),
          name: z.string().trim().min(1, "Give the key a name").max(100, "At most 100 characters"),
          scopes: z.array(scopeSchema).min(1, "Choose at least one scope"),
        }),
        z.object({
          kind: z.literal("publishable"),
          name: z.string().trim().min(1, "Give the key a name").max(100, "At most 100 characters"),
        }),
      ]),
    )
    .mutation(async ({ ctx, input }) => {
      try {
        const { key, secret } = await createApiKey({
          siteId: ctx.site.id,
          name: input.name,
          kind: input.kind,
          scopes: input.kind === "secret" ? input.scopes : [],
        });
        return { key: { ...key, status: "active" as const }, secret };
      } catch (err) {
        if (err instanceof ApiKeyInputError) throw new TRPCError({ code: "BAD_REQUEST", message: err.message, cause: err });
        throw err;
      }
    }),

  revoke: siteEditorProcedure.input(z.object({ id: z.uuid() })).mutation(async ({ ctx, input }) => {
    const key = await revokeApiKey(input.id, ctx.site.id);
    if (!key) throw new TRPCError({ code: "NOT_FOUND", message: "No API key with that id." });
    return { ...key, status: "revoked" as const };
  }),
});
