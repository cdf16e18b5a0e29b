/** What every scenario hands to the report and to results.json. */
export type ScenarioKey = 'read' | 'create' | 'webhooks' | 'polling' | 'memory';

export interface TargetCheck {
  target: string;
  measured: string;
  /** null: could not be measured in this run. */
  met: boolean | null;
}

export interface ScenarioTable {
  columns: string[];
  rows: Array<Array<string | number>>;
}

export interface ScenarioReport {
  key: ScenarioKey;
  title: string;
  /** `measured`, or `unavailable` when what it needs does not exist in the server yet. */
  status: 'measured' | 'unavailable' | 'failed';
  /** How it was measured, in a sentence or three of Markdown. */
  method: string;
  /** Medians (and ratios) per subject: the table a reader looks at first. */
  summary: ScenarioTable;
  /** Every run, for the reader who doubts a median. */
  runs?: ScenarioTable;
  targets: TargetCheck[];
  notes: string[];
  /** The raw figures, for results.json. */
  data: unknown;
}

export function formatNumber(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function percentText(ratio: number): string {
  return Number.isFinite(ratio) ? `${Math.round(ratio * 100)} %` : 'n/a';
}
