import { z } from 'zod';
import { customerIdSchema, isoTimestampSchema } from './common';

export const devicePlatformSchema = z.enum(['ios', 'android', 'web'], {
  error: 'must be one of "ios", "android" or "web"',
});

/** An FCM registration token as the app got it from the Firebase SDK. */
export const deviceTokenSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9_:.-]{8,4096}$/,
    'must be an FCM registration token: 8-4096 letters, digits, "_", ":", "." or "-"',
  );

export const deviceParamsSchema = z.object({ id: customerIdSchema, token: deviceTokenSchema });

export const deviceRegistrationSchema = z
  .strictObject({ platform: devicePlatformSchema })
  .meta({ id: 'DeviceRegistration' });
export type DeviceRegistration = z.input<typeof deviceRegistrationSchema>;

/**
 * A registered device. Tokens let anyone holding them push to the device, so the API shows only
 * their last characters; the app that registered a token already knows it in full.
 */
export const deviceSchema = z
  .object({
    maskedToken: z.string(),
    platform: devicePlatformSchema,
    createdAt: isoTimestampSchema,
    lastSeenAt: isoTimestampSchema,
  })
  .meta({ id: 'Device' });
export type Device = z.infer<typeof deviceSchema>;

export const deviceRegistrationResponseSchema = z.object({
  device: deviceSchema,
  created: z.boolean(),
});
export type DeviceRegistrationResponse = z.infer<typeof deviceRegistrationResponseSchema>;

export const deviceListSchema = z.object({ devices: z.array(deviceSchema) });
export type DeviceList = z.infer<typeof deviceListSchema>;
