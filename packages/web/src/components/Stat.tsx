/** One figure with its label, for the rows of key numbers at the top of pages. */
import type { ReactNode } from "react";

export function Stat({
  label,
  value,
  note,
  testId,
  title,
}: {
  label: string;
  value: ReactNode;
  note?: ReactNode;
  testId?: string;
  title?: string;
}) {
  return (
    <div className="stat">
      <span className="stat-label">{label}</span>
      <span className="stat-value" data-testid={testId} title={title}>
        {value}
      </span>
      {note ? <span className="stat-note">{note}</span> : null}
    </div>
  );
}
