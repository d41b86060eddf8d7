/**
 * Every route plugin of the API, registered in this order by createApp. Each file owns its paths.
 */
import type { FastifyPluginAsync } from "fastify";
import { alerts } from "./alerts.ts";
import { campaigns } from "./campaigns.ts";
import { donations } from "./donations.ts";
import { evidence } from "./evidence.ts";
import { csvExports } from "./exports.ts";
import { health } from "./health.ts";
import { ledger } from "./ledger.ts";
import { orgs } from "./orgs.ts";
import { portal } from "./portal.ts";
import { volunteers } from "./volunteers.ts";

export const routes: FastifyPluginAsync[] = [
  health,
  ledger,
  evidence,
  portal,
  orgs,
  donations,
  campaigns,
  volunteers,
  csvExports,
  alerts,
];
