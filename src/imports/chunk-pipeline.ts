/**
 * Stores chunks one at a time while the next one is read: `submit` waits for the chunk before
 * (so at most one is being stored and one being filled: memory stays at two chunks whatever the
 * size of the file) and starts this one. Reading the file and Postgres storing it then overlap,
 * on a machine with a core for each. A failure is answered by the next submit or by `finish`.
 */
export class ChunkPipeline {
  private running: Promise<void> = Promise.resolve();

  async submit(store: () => Promise<void>): Promise<void> {
    await this.running;
    const started = store();
    // Kept so a failure is never unhandled while the next chunk is read; awaited next time.
    started.catch(() => undefined);
    this.running = started;
  }

  finish(): Promise<void> {
    return this.running;
  }
}
