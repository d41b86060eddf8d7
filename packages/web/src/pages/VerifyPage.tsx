/**
 * Verify: checks an entry's inclusion proof in this browser with @shanji/core and shows every step;
 * then tells the reader how to compare the root with root() at the proof's block on a node they
 * trust, and can ask such a node itself. `?index=N` checks entry N; `&tamper=leaf|proof|root` checks a
 * copy with one byte changed, to show what a failure looks like.
 */
import { type FormEvent, useEffect, useId, useMemo, useState } from "react";
import { apiPath } from "../api/client.ts";
import type { EntryAnswer } from "../api/types.ts";
import { useApi } from "../api/useApi.ts";
import { useStatus } from "../api/useStatus.ts";
import { Hash } from "../components/Hash.tsx";
import { Link } from "../components/Link.tsx";
import { ErrorState, Loading } from "../components/States.tsx";
import { useI18n } from "../i18n/i18n.tsx";
import { kindLabel } from "../i18n/labels.ts";
import type { MessageKey } from "../i18n/messages.ts";
import { formatCount } from "../lib/format.ts";
import { navigate, useLocation } from "../lib/router.ts";
import {
  type CheckEntryProofReturnType,
  checkEntryProof,
  type EntryProofInput,
  parseEntryProof,
  tamper,
} from "../verify/checkEntryProof.ts";
import { readRootFromRpc, rootCallBody } from "../verify/readRootFromRpc.ts";

type TamperKind = "leaf" | "proof" | "root";
const isTamper = (v: string | null): v is TamperKind => v === "leaf" || v === "proof" || v === "root";

export function VerifyPage() {
  const { t } = useI18n();
  const { query } = useLocation();
  const indexParam = query.get("index");
  const tamperParam = query.get("tamper");
  const index = indexParam && /^\d+$/.test(indexParam) ? indexParam : null;
  const answer = useApi<EntryAnswer>(index === null ? null : apiPath(`/v1/entries/${index}`));
  const [pasted, setPasted] = useState<{ input: EntryProofInput } | { error: string } | undefined>();

  // A new index in the URL replaces a pasted proof.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset on index change only
  useEffect(() => setPasted(undefined), [index]);

  let input: EntryProofInput | undefined;
  let source: "api" | "pasted" | undefined;
  if (pasted && "input" in pasted) {
    input = pasted.input;
    source = "pasted";
  } else if (answer.data) {
    input = {
      index: answer.data.index,
      leaf: answer.data.leaf as EntryProofInput["leaf"],
      leafHash: answer.data.leafHash as EntryProofInput["leafHash"],
      proof: answer.data.proof as EntryProofInput["proof"],
    };
    source = "api";
  }
  const tamperKind = source === "api" && isTamper(tamperParam) ? tamperParam : undefined;
  const checked = useMemo(() => {
    if (!input) return undefined;
    const subject = tamperKind ? tamper(input, tamperKind) : input;
    return { subject, result: checkEntryProof(subject) };
  }, [input, tamperKind]);

  return (
    <article className="page">
      <h1>{t("verify.title")}</h1>
      <p className="lead">{t("verify.intro")}</p>
      <VerifyForms
        index={index}
        onPaste={(text) => {
          try {
            setPasted({ input: parseEntryProof(text) });
          } catch (error) {
            setPasted({ error: (error as Error).message });
          }
        }}
      />
      {pasted && "error" in pasted ? (
        <p className="state state-error" role="alert">
          {pasted.error.startsWith("missing:")
            ? t("verify.pasteMissing", { fields: pasted.error.slice(8) })
            : t("verify.pasteInvalid")}
        </p>
      ) : null}
      {source !== "pasted" && answer.loading ? <Loading /> : null}
      {source !== "pasted" && answer.error ? <ErrorState error={answer.error} onRetry={answer.reload} /> : null}
      {checked ? (
        <VerifyResult
          subject={checked.subject}
          result={checked.result}
          tampered={tamperKind}
          entry={source === "api" ? answer.data : undefined}
        />
      ) : null}
    </article>
  );
}

function VerifyForms({ index, onPaste }: { index: string | null; onPaste: (text: string) => void }) {
  const { t } = useI18n();
  const [value, setValue] = useState(index ?? "");
  const [text, setText] = useState("");
  const indexId = useId();
  const pasteId = useId();
  useEffect(() => setValue(index ?? ""), [index]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const v = value.trim();
    if (/^\d+$/.test(v)) navigate(`/verify?index=${v}`);
  };
  return (
    <div className="panel">
      <form className="inline-form" onSubmit={submit}>
        <label htmlFor={indexId}>{t("verify.indexLabel")}</label>
        <div className="input-row">
          <input
            id={indexId}
            name="index"
            inputMode="numeric"
            pattern="[0-9]*"
            autoComplete="off"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            aria-describedby={`${indexId}-hint`}
          />
          <button type="submit" className="button">
            {t("verify.check")}
          </button>
        </div>
        <p id={`${indexId}-hint`} className="hint">
          {t("verify.indexHint")}
        </p>
      </form>
      <details className="paste">
        <summary>{t("verify.pasteSummary")}</summary>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            onPaste(text);
          }}
        >
          <label htmlFor={pasteId}>{t("verify.pasteLabel")}</label>
          <textarea
            id={pasteId}
            name="proof"
            rows={8}
            spellCheck={false}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
          <button type="submit" className="button">
            {t("verify.checkPasted")}
          </button>
        </form>
      </details>
    </div>
  );
}

function Check({ ok, label, children }: { ok: boolean | undefined; label: string; children?: React.ReactNode }) {
  const { t } = useI18n();
  const mark = ok === undefined ? "–" : ok ? "✓" : "✗";
  return (
    <li className={`check ${ok === undefined ? "check-na" : ok ? "check-ok" : "check-bad"}`}>
      <span className="check-mark" aria-hidden="true">
        {mark}
      </span>
      <div>
        <p className="check-label">
          <span className="visually-hidden">
            {ok === undefined ? t("verify.na") : ok ? t("verify.passed") : t("verify.failed")}:{" "}
          </span>
          {label}
        </p>
        {children}
      </div>
    </li>
  );
}

function VerifyResult({
  subject,
  result,
  tampered,
  entry,
}: {
  subject: EntryProofInput;
  result: CheckEntryProofReturnType;
  tampered: TamperKind | undefined;
  entry: EntryAnswer | undefined;
}) {
  const { t, lang } = useI18n();
  const pathProblem: Record<string, MessageKey> = {
    index: "verify.pathIndex",
    malformed: "verify.pathMalformed",
    long: "verify.pathLong",
    short: "verify.pathShort",
  };
  return (
    <section aria-labelledby="verify-result" className="verify-result">
      <h2 id="verify-result" className="visually-hidden">
        {t("verify.resultHeading")}
      </h2>
      {tampered ? (
        <p className="notice notice-warn">{t("verify.tamperedNotice", { what: t(`verify.tamper.${tampered}`) })}</p>
      ) : null}
      <div
        className={`verdict ${result.ok ? "verdict-ok" : "verdict-bad"}`}
        role="status"
        aria-live="polite"
        data-testid="verdict"
        data-ok={result.ok ? "true" : "false"}
      >
        <span className="verdict-mark" aria-hidden="true">
          {result.ok ? "✓" : "✗"}
        </span>
        <div>
          <p className="verdict-title">{result.ok ? t("verify.ok") : t("verify.bad")}</p>
          <p>
            {result.ok
              ? t("verify.okDetail", { index: subject.index, size: formatCount(subject.proof.treeSize) })
              : t("verify.badDetail")}
          </p>
        </div>
      </div>

      <h3>{t("verify.stepsHeading")}</h3>
      <ol className="checks">
        <Check
          ok={result.decoded.ok && result.indexMatches}
          label={t("verify.stepDecode", { bytes: result.leafBytes })}
        >
          {result.decoded.ok ? (
            <p className="check-detail">
              {t("verify.decodedAs", {
                kind: `${kindLabel(result.decoded.kindName, lang)} (${result.decoded.kindName})`,
                index: result.decoded.index,
              })}{" "}
              {result.indexMatches ? "" : t("verify.indexMismatch", { index: subject.proof.index })}
            </p>
          ) : (
            <p className="check-detail">{t("verify.decodeFailed", { error: result.decoded.error })}</p>
          )}
        </Check>
        <Check ok={result.leafHashMatches ?? true} label={t("verify.stepLeafHash")}>
          <p className="check-detail">
            <Hash value={result.computedLeafHash} full />
          </p>
          {result.leafHashMatches === false ? (
            <p className="check-detail">
              {t("verify.leafHashDiffers")} <Hash value={subject.leafHash ?? ""} full />
            </p>
          ) : null}
        </Check>
        <Check
          ok={result.pathProblem === undefined}
          label={t("verify.stepPath", { n: subject.proof.inclusion.length })}
        >
          {result.pathProblem ? (
            <p className="check-detail">{t(pathProblem[result.pathProblem] ?? "verify.pathMalformed")}</p>
          ) : null}
          {result.path.length > 0 ? (
            <div className="table-scroll">
              <table className="path-table">
                <caption className="visually-hidden">{t("verify.pathCaption")}</caption>
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">{t("verify.sibling")}</th>
                    <th scope="col">{t("verify.side")}</th>
                    <th scope="col">{t("verify.result")}</th>
                  </tr>
                </thead>
                <tbody>
                  {result.path.map((step) => (
                    <tr key={step.step}>
                      <td>{step.step}</td>
                      <td>
                        <Hash value={step.sibling} />
                      </td>
                      <td>{step.side === "left" ? t("verify.left") : t("verify.right")}</td>
                      <td>
                        <Hash value={step.result} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </Check>
        <Check ok={result.rootMatches} label={t("verify.stepRoot")}>
          <dl className="pairs">
            <dt>{t("verify.computedRoot")}</dt>
            <dd>{result.computedRoot ? <Hash value={result.computedRoot} full /> : "—"}</dd>
            <dt>{t("verify.claimedRoot")}</dt>
            <dd>
              <Hash value={subject.proof.root} full />
            </dd>
          </dl>
        </Check>
        <Check ok={result.libraryVerdict} label={t("verify.stepLibrary")} />
      </ol>
      <CompareRoot subject={subject} />
      {entry ? <EntryDetails entry={entry} /> : null}
      {!tampered && entry ? (
        <p className="tamper-links">
          {t("verify.tamperTry")}{" "}
          <Link to={`/verify?index=${subject.index}&tamper=leaf`}>{t("verify.tamper.leaf")}</Link> ·{" "}
          <Link to={`/verify?index=${subject.index}&tamper=proof`}>{t("verify.tamper.proof")}</Link>
        </p>
      ) : null}
      {tampered ? (
        <p>
          <Link to={`/verify?index=${subject.index}`}>{t("verify.untampered")}</Link>
        </p>
      ) : null}
    </section>
  );
}

function CompareRoot({ subject }: { subject: EntryProofInput }) {
  const { t } = useI18n();
  const { status } = useStatus();
  const rpcId = useId();
  const [rpcUrl, setRpcUrl] = useState("");
  const [read, setRead] = useState<
    | { state: "idle" }
    | { state: "reading" }
    | { state: "done"; root: string; chainId: number }
    | { state: "error"; message: string }
  >({ state: "idle" });
  const log = status?.addresses.log;
  const block = subject.proof.blockNumber;
  if (!block) return null;
  const hexBlock = `0x${BigInt(block).toString(16)}`;
  return (
    <section className="panel compare" aria-labelledby="compare-heading">
      <h3 id="compare-heading">{t("verify.compareHeading")}</h3>
      <p>{t("verify.compareIntro", { block: formatCount(block), size: formatCount(subject.proof.treeSize) })}</p>
      {log ? (
        <>
          <p className="hint">{t("verify.castHint")}</p>
          <pre className="code-block" data-testid="cast-command">
            {`cast call ${log} "root()(bytes32)" --block ${block} --rpc-url <RPC>`}
          </pre>
          <p className="hint">{t("verify.rpcHint")}</p>
          <pre className="code-block">{rootCallBody(log, block)}</pre>
          <p className="hint">
            {t("verify.expectRoot")} <Hash value={subject.proof.root} full />
          </p>
          <form
            className="inline-form"
            onSubmit={async (event) => {
              event.preventDefault();
              setRead({ state: "reading" });
              try {
                const answer = await readRootFromRpc(rpcUrl.trim(), log, block);
                setRead({ state: "done", ...answer });
              } catch (error) {
                setRead({ state: "error", message: (error as Error).message });
              }
            }}
          >
            <label htmlFor={rpcId}>{t("verify.rpcLabel")}</label>
            <div className="input-row">
              <input
                id={rpcId}
                type="url"
                placeholder="https://rpc.example.org"
                value={rpcUrl}
                onChange={(e) => setRpcUrl(e.target.value)}
                required
              />
              <button type="submit" className="button secondary" disabled={read.state === "reading"}>
                {t("verify.rpcRead")}
              </button>
            </div>
            <p className="hint">{t("verify.rpcCors", { block: hexBlock })}</p>
          </form>
          {read.state === "reading" ? <Loading /> : null}
          {read.state === "error" ? (
            <p className="state state-error" role="alert">
              {t("verify.rpcError", { message: read.message })}
            </p>
          ) : null}
          {read.state === "done" ? (
            <p
              className={`verdict-inline ${read.root === subject.proof.root.toLowerCase() ? "ok" : "bad"}`}
              role="status"
            >
              {read.root === subject.proof.root.toLowerCase()
                ? t("verify.rpcMatch", { chainId: read.chainId })
                : t("verify.rpcMismatch", { chainId: read.chainId, root: read.root })}
            </p>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

function EntryDetails({ entry }: { entry: EntryAnswer }) {
  const { t, date } = useI18n();
  const record = entry.entry.record as Record<string, unknown>;
  return (
    <details className="panel entry-details">
      <summary>{t("verify.entryDetails", { kind: entry.kindName })}</summary>
      <dl className="pairs">
        <dt>{t("verify.blockOfEntry")}</dt>
        <dd>{formatCount(entry.blockNumber)}</dd>
        <dt>{t("verify.time")}</dt>
        <dd>{date(entry.entry.timestamp, true)}</dd>
        <dt>{t("verify.tx")}</dt>
        <dd>
          <Hash value={entry.txHash} />
        </dd>
        {Object.entries(record)
          .filter(([name]) => name !== "type")
          .map(([name, value]) => (
            <FieldRow key={name} name={name} value={value} />
          ))}
      </dl>
    </details>
  );
}

function FieldRow({ name, value }: { name: string; value: unknown }) {
  const text = Array.isArray(value) ? value.join(", ") : String(value);
  return (
    <>
      <dt>{name}</dt>
      <dd>{/^0x[0-9a-f]{40,}$/.test(text) ? <Hash value={text} /> : text || "—"}</dd>
    </>
  );
}
