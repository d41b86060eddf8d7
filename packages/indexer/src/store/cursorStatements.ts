/** The DECLARE / FETCH / CLOSE statements behind `store.stream`, the same on both backends. */
import { StoreError } from "./errors.ts";

export type CursorStatementsParameters = {
  /** Unique among the cursors open on the connection. */
  name: string;
  /** The query to stream: one SELECT (or VALUES, or a WITH … SELECT), `$1` parameters allowed. */
  sql: string;
  pageSize: number;
  /** Keep the cursor after its transaction commits (PostgreSQL materialises the rows at commit). */
  withHold: boolean;
};
export type CursorStatementsReturnType = { declare: string; fetch: string; close: string };

export function cursorStatements(parameters: CursorStatementsParameters): CursorStatementsReturnType {
  const { name, sql, pageSize, withHold } = parameters;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) {
    throw new StoreError(`stream page size must be a positive integer, got ${pageSize}`);
  }
  // A trailing semicolon is harmless in a query of its own but a syntax error inside DECLARE.
  const query = sql.replace(/[\s;]+$/, "");
  return {
    declare: `declare ${name} no scroll cursor ${withHold ? "with hold " : ""}for ${query}`,
    fetch: `fetch forward ${pageSize} from ${name}`,
    close: `close ${name}`,
  };
}
