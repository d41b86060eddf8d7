/** The `shanji` process: runs the command and exits with its code (bin/shanji.js starts here). */
import { runCli } from "./createProgram.ts";

process.exitCode = await runCli(process.argv.slice(2));
