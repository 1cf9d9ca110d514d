// The bare workflow's one activity: raw nodemailer, with the transport settings of Cairn's email
// channel (src/channels/email-channel.ts: pooled, 5 connections, the same timeouts).
import nodemailer from 'nodemailer';

export interface BareEmail {
  to: string;
  subject: string;
  html: string;
}

export function createBareActivities(smtpUrl: string, from: string) {
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    pool: true,
    maxConnections: 5,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    dnsTimeout: 10_000,
  });
  return {
    activities: {
      async sendEmail(email: BareEmail): Promise<string> {
        const info = await transport.sendMail({
          from,
          to: email.to,
          subject: email.subject,
          html: email.html,
          disableFileAccess: true,
          disableUrlAccess: true,
        });
        return info.messageId;
      },
    },
    close: () => transport.close(),
  };
}

export type BareActivities = ReturnType<typeof createBareActivities>['activities'];
