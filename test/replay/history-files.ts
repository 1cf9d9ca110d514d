import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { HistoryAndWorkflowId } from '@temporalio/client';
import { historyFromJson } from './history-json';

/** Recorded workflow histories, one JSON file each (Temporal's own proto JSON, as the CLI shows). */
export const HISTORIES_DIR = path.join(__dirname, 'histories');
export const MANIFEST = path.join(HISTORIES_DIR, 'index.json');

/** What a recorded history is, so a failing replay names the run state it stands for. */
export interface HistoryEntry {
  /** File name under histories/, e.g. "welcome-series-completed.json". */
  file: string;
  /** The workflow id the run had; replay gives it back to workflowInfo(). */
  workflowId: string;
  journey: string;
  /** The state the run was in when it was recorded: completed, waiting (quiet hours), ... */
  state: string;
  /** The scenario that produced it (`npm run replay:record -- <scenario>` records it again). */
  scenario: string;
  recordedAt: string;
}

export function readManifest(): HistoryEntry[] {
  if (!existsSync(MANIFEST)) return [];
  return JSON.parse(readFileSync(MANIFEST, 'utf8')) as HistoryEntry[];
}

/** Every .json history file in the folder (the manifest itself excluded). */
export function historyFilesOnDisk(): string[] {
  return readdirSync(HISTORIES_DIR)
    .filter((name) => name.endsWith('.json') && name !== 'index.json')
    .sort();
}

export function loadHistory(entry: HistoryEntry): HistoryAndWorkflowId {
  const json: unknown = JSON.parse(readFileSync(path.join(HISTORIES_DIR, entry.file), 'utf8'));
  return { workflowId: entry.workflowId, history: historyFromJson(json) };
}
