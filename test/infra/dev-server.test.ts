import { connectTestClient } from '../support/temporal';

describe('the shared Temporal dev server', () => {
  it('has Cairn search attributes registered', async () => {
    const { connection } = await connectTestClient();
    try {
      const response = await connection.operatorService.listSearchAttributes({
        namespace: 'default',
      });
      expect(Object.keys(response.customAttributes)).toEqual(
        expect.arrayContaining([
          'CustomerId',
          'JourneyId',
          'JourneyVersion',
          'JourneyStep',
          'JourneyStatus',
        ]),
      );
    } finally {
      await connection.close();
    }
  });
});
