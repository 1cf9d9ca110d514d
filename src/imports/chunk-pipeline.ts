/**
 * Stores chunks while the next ones are read: `submit` waits until fewer than `inFlight` chunks
 * are being stored, then starts this one, so memory stays at `inFlight` + 1 chunks whatever the
 * size of the file, reading the file and Postgres storing it overlap, and with more than one in
 * flight Postgres stores on as many connections (cores) at once. A failure is answered by the
 * next submit or by `finish`.
 */
export class ChunkPipeline {
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | null = null;

  constructor(private readonly inFlight: number) {}

  async submit(store: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.inFlight) await Promise.race(this.running);
    this.rethrow();
    const started: Promise<void> = store()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => this.running.delete(started));
    this.running.add(started);
  }

  async finish(): Promise<void> {
    await Promise.all(this.running);
    this.rethrow();
  }

  private rethrow(): void {
    if (this.failure) throw this.failure.error;
  }
}
