/** Organisation names by id (GET /v1/orgs), for pages that name organisations their entries only number. */
import { useMemo } from "react";
import { apiPath } from "./client.ts";
import type { OrgSummary, Page } from "./domainTypes.ts";
import { useApi } from "./useApi.ts";

export function useOrgNames(): Map<string, string> {
  const orgs = useApi<Page<OrgSummary>>(apiPath("/v1/orgs", { limit: 500 }));
  return useMemo(() => new Map((orgs.data?.items ?? []).map((o) => [o.orgId, o.name])), [orgs.data]);
}
