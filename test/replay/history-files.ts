import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { HistoryAndWorkflowId } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { format, resolveConfig } from 'prettier';
import { historyFromJson, historyToJson } from './history-json';

type History = temporal.api.history.v1.IHistory;

/** Recorded workflow histories, one JSON file each (Temporal's own proto JSON, as the CLI shows). */
export const HISTORIES_DIR = path.join(__dirname, 'histories');
const MANIFEST = path.join(HISTORIES_DIR, 'index.json');

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

/** Writes the history and its manifest entry (replacing an older recording of the same file). */
export async function saveHistory(entry: HistoryEntry, history: History): Promise<void> {
  const file = path.join(HISTORIES_DIR, entry.file);
  writeFileSync(file, await formatted(file, historyToJson(history)));
  const manifest = readManifest().filter((e) => e.file !== entry.file);
  manifest.push(entry);
  manifest.sort((a, b) => a.file.localeCompare(b.file));
  writeFileSync(MANIFEST, await formatted(MANIFEST, JSON.stringify(manifest)));
}

/** Prettier-formatted with the project's settings, so `npm run lint` accepts files as recorded. */
async function formatted(file: string, json: string): Promise<string> {
  return format(json, { ...(await resolveConfig(file)), filepath: file });
}
