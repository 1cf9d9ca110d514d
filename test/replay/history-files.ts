import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { HistoryAndWorkflowId } from '@temporalio/client';
import { historyFromJson } from './history-json';

/** Recorded workflow histories, one JSON file each (Temporal's own proto JSON, as the CLI shows). */
export const HISTORIES_DIR = path.join(__dirname, 'histories');

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

/** `dir` is another folder of histories laid out the same way (the recorder's --out). */
export function readManifest(dir = HISTORIES_DIR): HistoryEntry[] {
  const manifest = manifestIn(dir);
  if (!existsSync(manifest)) return [];
  return JSON.parse(readFileSync(manifest, 'utf8')) as HistoryEntry[];
}

export function manifestIn(dir: string): string {
  return path.join(dir, 'index.json');
}

/** Every .json history file in the folder (the manifest itself excluded). */
export function historyFilesOnDisk(dir = HISTORIES_DIR): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json') && name !== 'index.json')
    .sort();
}

export function loadHistory(entry: HistoryEntry, dir = HISTORIES_DIR): HistoryAndWorkflowId {
  const json: unknown = JSON.parse(readFileSync(path.join(dir, entry.file), 'utf8'));
  return { workflowId: entry.workflowId, history: historyFromJson(json) };
}
