/**
 * The form both lookups use: one code (a receipt code, a volunteer code), its label and hint, and a
 * button; the page decides where a submitted code goes.
 */
import { type FormEvent, useEffect, useId, useState } from "react";
import { useI18n } from "../i18n/i18n.tsx";
import type { MessageKey } from "../i18n/messages.ts";

export type CodeFormProps = {
  initial: string;
  /** The input's name. */
  name: string;
  label: MessageKey;
  hint: MessageKey;
  button: MessageKey;
  /** Called with the trimmed code. */
  onSubmit: (code: string) => void;
};

export function CodeForm({ initial, name, label, hint, button, onSubmit }: CodeFormProps) {
  const { t } = useI18n();
  const id = useId();
  const [code, setCode] = useState(initial);
  useEffect(() => setCode(initial), [initial]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit(code.trim());
  };
  return (
    <form className="panel" onSubmit={submit}>
      <label htmlFor={id}>{t(label)}</label>
      <div className="input-row">
        <input
          id={id}
          name={name}
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="off"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          aria-describedby={`${id}-hint`}
          placeholder="0x…"
        />
        <button type="submit" className="button">
          {t(button)}
        </button>
      </div>
      <p id={`${id}-hint`} className="hint">
        {t(hint)}
      </p>
    </form>
  );
}
