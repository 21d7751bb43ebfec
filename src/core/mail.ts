import nodemailer from "nodemailer";
import type { AppConfig } from "./config";

/** One email through mail.smtp_url from mail.from (docs/alerts.md, docs/reports.md); the caller checks that smtp_url is set. */
export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
}

export async function sendMail(config: AppConfig, message: MailMessage): Promise<void> {
  if (!config.mail.smtp_url) throw new Error("no SMTP server configured (mail.smtp_url)");
  const transport = nodemailer.createTransport(config.mail.smtp_url);
  try {
    await transport.sendMail({ from: config.mail.from, ...message });
  } finally {
    transport.close();
  }
}

/** Text for an HTML body: the five characters that could open markup or end an attribute. */
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
