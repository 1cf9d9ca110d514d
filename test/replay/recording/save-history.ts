import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { temporal } from '@temporalio/proto';
import { format, resolveConfig } from 'prettier';
import { manifestIn, readManifest, type HistoryEntry } from '../history-files';
import { historyToJson } from '../history-json';

type History = temporal.api.history.v1.IHistory;

/**
 * Writes the history and its manifest entry into `dir` (replacing an older recording of the same
 * file).
 */
export async function saveHistory(
  entry: HistoryEntry,
  history: History,
  dir: string,
): Promise<void> {
  const file = path.join(dir, entry.file);
  writeFileSync(file, await formatted(file, historyToJson(history)));
  const manifest = readManifest(dir).filter((e) => e.file !== entry.file);
  manifest.push(entry);
  manifest.sort((a, b) => a.file.localeCompare(b.file));
  const manifestFile = manifestIn(dir);
  writeFileSync(manifestFile, await formatted(manifestFile, JSON.stringify(manifest)));
}

/** Prettier-formatted with the project's settings, so `npm run lint` accepts files as recorded. */
async function formatted(file: string, json: string): Promise<string> {
  return format(json, { ...(await resolveConfig(file)), filepath: file });
}
