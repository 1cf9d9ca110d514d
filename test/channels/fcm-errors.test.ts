import { classifyTokenFailure, fcmCode } from '../../src/channels/fcm-errors';

describe('FCM failures', () => {
  // Sending over firebase-admin's HTTP/2 transport with FCM unreachable fails with
  // `messaging/app/network-error` (seen with the real SDK offline); the legacy transport, which
  // the FCM peer tests use, says `app/network-error` for the same refused connection.
  it.each(['app/network-error', 'messaging/app/network-error'])(
    'counts an unreachable FCM (%s) as transient, under one code',
    (code) => {
      expect(classifyTokenFailure({ code })).toBe('transient');
      expect(fcmCode({ code })).toBe('fcm_network_error');
    },
  );

  it.each(['app/network-timeout', 'messaging/app/network-timeout'])(
    'counts a timeout on the way to FCM (%s) as transient',
    (code) => expect(classifyTokenFailure({ code })).toBe('transient'),
  );

  it('keeps refusals of the message itself permanent', () => {
    expect(
      classifyTokenFailure({ code: 'messaging/invalid-argument', message: 'bad payload' }),
    ).toBe('permanent');
    expect(classifyTokenFailure({ code: 'messaging/mismatched-credential' })).toBe('permanent');
  });
});
