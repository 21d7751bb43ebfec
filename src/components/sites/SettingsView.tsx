"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { cardClass, inputClass, primaryButton } from "@/components/ui/styles";
import { api, type RouterOutputs } from "@/trpc/react";
import { DeleteSiteCard } from "./DeleteSiteCard";
import { describedBy, Field, fieldErrorsOf, parseHostnames, TimeZoneSelect } from "./fields";
import { SharingCard } from "./SharingCard";

export type SiteView = RouterOutputs["sites"]["get"];

/** How often the page asks whether a time zone change has been applied (an ETL pass recomputes the dates). */
const RECOMPUTE_POLL_MS = 3_000;

export function SettingsView({ initial, zones }: { initial: SiteView; zones: string[] }) {
  const siteId = initial.id;
  const site = api.sites.get.useQuery(
    { siteId },
    { initialData: initial, refetchInterval: (q) => (q.state.data?.recomputing ? RECOMPUTE_POLL_MS : false) },
  );
  const current = site.data ?? initial;

  return (
    <div className="space-y-5 sm:space-y-6">
      <div>
        <h1 className="text-xl font-semibold tracking-tight text-gray-50 sm:text-2xl">Settings</h1>
        <p className="mt-1 truncate text-sm text-gray-400" title={current.name}>
          {current.name}
        </p>
      </div>
      <SettingsForm site={current} zones={zones} />
      <SharingCard site={current} />
      {current.access === "admin" ? <DeleteSiteCard site={current} /> : null}
    </div>
  );
}

function SettingsForm({ site, zones }: { site: SiteView; zones: string[] }) {
  const router = useRouter();
  const utils = api.useUtils();
  const [zone, setZone] = useState(site.timeZone);
  const [saved, setSaved] = useState(false);
  const update = api.sites.update.useMutation({
    onSuccess: (next) => {
      utils.sites.get.setData({ siteId: site.id }, next);
      setSaved(true);
      // The header (switcher, footer's time zone) is rendered by the layout on the server.
      router.refresh();
    },
  });
  const errors = fieldErrorsOf(update.error);

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setSaved(false);
    update.mutate({
      siteId: site.id,
      settings: { name: String(form.get("name") ?? ""), hostnames: parseHostnames(String(form.get("hostnames") ?? "")), timeZone: zone },
    });
  }

  return (
    <section aria-labelledby="site-settings" className={cardClass}>
      <h2 id="site-settings" className="text-base font-semibold text-gray-100">
        Site
      </h2>
      <form onSubmit={submit} className="mt-4 grid gap-4 md:grid-cols-2" noValidate onChange={() => setSaved(false)}>
        <Field id="settings-name" label="Name" errors={errors?.name}>
          <input
            id="settings-name"
            name="name"
            required
            maxLength={100}
            defaultValue={site.name}
            {...describedBy("settings-name", errors?.name, false)}
            className={inputClass}
          />
        </Field>
        <Field
          id="settings-zone"
          label="Time zone"
          errors={errors?.timeZone}
          hint="The dashboard's days start at midnight here. Changing it recomputes all of the site's dates."
        >
          <TimeZoneSelect id="settings-zone" zones={zones} value={zone} onChange={setZone} errors={errors?.timeZone} />
        </Field>
        <div className="md:col-span-2">
          <Field
            id="settings-hostnames"
            label="Hostnames"
            errors={errors?.hostnames}
            hint="One per line or separated by commas; *.shop.example covers every subdomain."
          >
            <textarea
              id="settings-hostnames"
              name="hostnames"
              rows={3}
              defaultValue={site.hostnames.join("\n")}
              {...describedBy("settings-hostnames", errors?.hostnames, true)}
              className={`${inputClass} font-mono`}
            />
          </Field>
        </div>
        {update.error && !errors ? (
          <p role="alert" className="rounded-md border border-red-900/60 bg-red-950/40 px-3 py-2 text-sm text-red-200 md:col-span-2">
            {update.error.message}
          </p>
        ) : null}
        <div className="flex flex-wrap items-center gap-3 md:col-span-2">
          <button type="submit" className={primaryButton} disabled={update.isPending}>
            {update.isPending ? "Saving…" : "Save"}
          </button>
          <p role="status" className="text-sm">
            {site.recomputing ? (
              <span className="text-amber-200" data-testid="recomputing">
                Recomputing dates in {site.timeZone}…
              </span>
            ) : saved ? (
              <span className="text-emerald-300">Saved.</span>
            ) : null}
          </p>
        </div>
      </form>
    </section>
  );
}
