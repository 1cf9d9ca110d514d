import { Connection } from '@temporalio/client';
import { startTemporalDevServer, type DevServer } from '../../src/dev/temporal-dev-server';

describe('startTemporalDevServer', () => {
  let first: DevServer | undefined;

  afterAll(async () => {
    await first?.stop();
  });

  it('picks a port of its own when given none, and answers on it', async () => {
    first = await startTemporalDevServer({ startTimeoutMs: 60_000 });
    expect(first).toMatchObject({ address: `127.0.0.1:${first.port}`, uiUrl: null });
    const connection = await Connection.connect({ address: first.address });
    try {
      const info = await connection.workflowService.getSystemInfo({});
      expect(info.serverVersion).toMatch(/^\d+\.\d+/);
    } finally {
      await connection.close();
    }
  });

  it('refuses a port another server holds instead of mistaking that server for its own', async () => {
    await expect(startTemporalDevServer({ port: first!.port })).rejects.toThrow(
      `port ${first!.port} is taken`,
    );
  });

  it('stops once, and a second stop() is the same stop', async () => {
    const server = await startTemporalDevServer({ startTimeoutMs: 60_000 });
    const stopping = server.stop();
    expect(server.stop()).toBe(stopping);
    await stopping;
    await expect(server.exited).resolves.toMatch(/^exited with /);
  });
});
