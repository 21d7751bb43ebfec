import { getAnalyticsReport, getBreakdown } from "@/core/db/analytics";
import type { Filter } from "@/core/dimensions/filters";
import { dimensionNamed } from "@/core/dimensions/registry";
import type { DateRange } from "@/core/analytics/types";
import { breakdownCsv, reportPanelCsv, type PanelId, type ReportPanel } from "@/core/export/panels";

/**
 * A panel's CSV for a site, range and filters, from the same queries as the API (so the numbers
 * are the API's). The report is fetched once for all the report panels of one request.
 */
export function panelCsvSource(siteId: string, range: DateRange, options: { limit: number; filters: Filter[] }) {
  let report: ReturnType<typeof getAnalyticsReport> | undefined;
  return async (panel: PanelId): Promise<string> => {
    if (panel.startsWith("breakdown:")) {
      const dimension = dimensionNamed(panel.slice("breakdown:".length))!;
      return breakdownCsv(await getBreakdown(siteId, range, dimension, options));
    }
    report ??= getAnalyticsReport(siteId, range, options);
    return reportPanelCsv(panel as ReportPanel, await report);
  };
}
