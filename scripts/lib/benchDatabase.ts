/**
 * Databases for benchmarks: a new, empty PostgreSQL database on a server where the role may
 * CREATE DATABASE, named `<prefix>_<random>`, dropped afterwards.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

export type BenchDatabase = { url: string; name: string; drop: () => Promise<void> };

export async function freshBenchDatabase(serverUrl: string, prefix = "shanji_bench"): Promise<BenchDatabase> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  await onServer(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await onServer(serverUrl, `drop database if exists ${name} with (force)`);
    },
  };
}

async function onServer(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
