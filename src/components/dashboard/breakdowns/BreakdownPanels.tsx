"use client";

import type { DateRange } from "@/core/analytics/types";
import type { Filter } from "@/core/dimensions/filters";
import { PANELS } from "@/core/dimensions/registry";
import type { FilterTriple } from "../useDashboardFilters";
import { BreakdownPanel } from "./BreakdownPanel";
import type { ReportSource } from "./useBreakdown";

/**
 * The registry's panels (src/core/dimensions/registry.ts, PANELS) in its order: the dashboard
 * names no dimension itself, so a dimension added there gets its tab here.
 */
export function BreakdownPanels(props: {
  source: ReportSource;
  range: DateRange;
  filters: readonly Filter[];
  triples: FilterTriple[] | undefined;
  onSelect: (filter: Filter) => void;
}) {
  return (
    <div className="grid grid-cols-1 gap-5 lg:grid-cols-2 lg:gap-6">
      {PANELS.map((p, i) => (
        <BreakdownPanel
          key={p.name}
          // An odd panel out takes the whole row on two columns rather than leave a hole beside it.
          wide={i === PANELS.length - 1 && PANELS.length % 2 === 1}
          {...props}
          name={p.name}
          title={p.title}
          dimensions={p.dimensions}
          footer={
            // The country database is DB-IP's IP to Country Lite, CC BY 4.0: its licence asks for this
            // link wherever its data is shown (docs/enrichment.md).
            p.name === "locations" ? (
              <a href="https://db-ip.com" className="underline-offset-2 hover:text-gray-300 hover:underline">
                IP Geolocation by DB-IP
              </a>
            ) : undefined
          }
        />
      ))}
    </div>
  );
}
