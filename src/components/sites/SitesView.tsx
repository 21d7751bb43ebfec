"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { GlobeIcon } from "@/components/ui/icons";
import { EmptyState } from "@/components/ui/states";
import { cardClass, inputClass, primaryButton } from "@/components/ui/styles";
import type { SiteAccess } from "@/core/sites/access";
import { api } from "@/trpc/react";
import { describedBy, Field, fieldErrorsOf, parseHostnames, TimeZoneSelect, useBrowserTimeZone } from "./fields";

interface SiteRow {
  id: string;
  name: string;
  hostnames: string[];
  timeZone: string;
  access: SiteAccess;
}

export const ROLE_LABEL: Record<SiteAccess, string> = { admin: "Admin", editor: "Editor", viewer: "Viewer" };

export function SitesView({ sites, isAdmin, zones, focusNew }: { sites: SiteRow[]; isAdmin: boolean; zones: string[]; focusNew: boolean }) {
  return (
    <div className="space-y-5 sm:space-y-6">
      <div>
        <h1 className="text-xl font-semibold tracking-tight text-gray-50 sm:text-2xl">Sites</h1>
        <p className="mt-1 max-w-2xl text-sm text-gray-400">
          {isAdmin ? "Every site of this Pulse. Each has its own keys, dashboard, members and time zone." : "The sites you have a role on."}
        </p>
      </div>

      {sites.length === 0 ? (
        <EmptyState icon={<GlobeIcon width={28} height={28} />} title="No sites yet">
          {isAdmin ? "Create the first one below." : "Ask an admin to give you a role on a site."}
        </EmptyState>
      ) : (
        <ul aria-label="Your sites" className="grid gap-3 md:grid-cols-2">
          {sites.map((s) => (
            <li key={s.id}>
              <Link
                href={`/s/${s.id}`}
                className="block rounded-xl border border-gray-800 bg-gray-900/60 p-4 hover:border-gray-700 hover:bg-gray-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
              >
                <div className="flex items-start justify-between gap-3">
                  <p className="min-w-0 truncate font-medium text-gray-50" title={s.name}>
                    {s.name}
                  </p>
                  <span className="shrink-0 rounded-full bg-gray-800 px-2 py-0.5 text-xs font-medium text-gray-300 ring-1 ring-inset ring-gray-700">
                    {ROLE_LABEL[s.access]}
                  </span>
                </div>
                <p className="mt-1 truncate text-sm text-gray-400" title={s.hostnames.join(", ")}>
                  {s.hostnames.length > 0 ? s.hostnames.join(", ") : "No hostnames"}
                </p>
                <p className="mt-1 text-xs text-gray-500">Dates in {s.timeZone}</p>
              </Link>
            </li>
          ))}
        </ul>
      )}

      {isAdmin ? <NewSiteForm zones={zones} autoFocus={focusNew} /> : null}
    </div>
  );
}

function NewSiteForm({ zones, autoFocus }: { zones: string[]; autoFocus: boolean }) {
  const router = useRouter();
  const browserZone = useBrowserTimeZone(zones);
  const [zone, setZone] = useState<string | null>(null);
  const create = api.sites.create.useMutation({
    onSuccess: (site) => {
      router.push(`/s/${site.id}/keys?created=1`);
      // The header's switcher is loaded by the layout on the server.
      router.refresh();
    },
  });
  const errors = fieldErrorsOf(create.error);

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    create.mutate({
      name: String(form.get("name") ?? ""),
      hostnames: parseHostnames(String(form.get("hostnames") ?? "")),
      timeZone: zone ?? browserZone,
    });
  }

  return (
    <section aria-labelledby="new-site" className={cardClass}>
      <h2 id="new-site" className="text-base font-semibold text-gray-100">
        New site
      </h2>
      <p className="mt-1 text-sm text-gray-400">Next you create a key for it and send its events with that key.</p>
      <form onSubmit={submit} className="mt-4 grid gap-4 md:grid-cols-2" noValidate>
        <Field id="site-name" label="Name" errors={errors?.name}>
          <input
            id="site-name"
            name="name"
            required
            maxLength={100}
            autoFocus={autoFocus}
            placeholder="e.g. shop.example"
            {...describedBy("site-name", errors?.name, false)}
            className={inputClass}
          />
        </Field>
        <Field id="site-zone" label="Time zone" errors={errors?.timeZone} hint="The dashboard's days start at midnight in this zone.">
          <TimeZoneSelect id="site-zone" zones={zones} value={zone ?? browserZone} onChange={setZone} errors={errors?.timeZone} />
        </Field>
        <div className="md:col-span-2">
          <Field
            id="site-hostnames"
            label="Hostnames"
            errors={errors?.hostnames}
            hint="Where the site's pages are served, one per line or separated by commas; *.shop.example covers every subdomain."
          >
            <textarea
              id="site-hostnames"
              name="hostnames"
              rows={3}
              placeholder={"shop.example\nwww.shop.example"}
              {...describedBy("site-hostnames", errors?.hostnames, true)}
              className={`${inputClass} font-mono`}
            />
          </Field>
        </div>
        {create.error && !errors ? (
          <p role="alert" className="rounded-md border border-red-900/60 bg-red-950/40 px-3 py-2 text-sm text-red-200 md:col-span-2">
            {create.error.message}
          </p>
        ) : null}
        <div className="md:col-span-2">
          <button type="submit" className={primaryButton} disabled={create.isPending || create.isSuccess}>
            {create.isPending ? "Creating…" : "Create site"}
          </button>
        </div>
      </form>
    </section>
  );
}
