/**
 * Every route plugin of the API, registered in this order by createApp. Each file owns its paths.
 */
import type { FastifyPluginAsync } from "fastify";
import { health } from "./health.ts";

export const routes: FastifyPluginAsync[] = [health];
