/** Reading the mails that the app sent to the SMTP test server (see mail-server.ts). */
import { inject } from 'vitest';
import type { ReceivedMail } from './mail-server';

export type { ReceivedMail };

export async function mailsTo(address: string): Promise<ReceivedMail[]> {
	const res = await fetch(`${inject('e2e').mailURL}/messages?to=${encodeURIComponent(address)}`);
	if (!res.ok) throw new Error(`SMTP-Testserver: ${res.status}`);
	return (await res.json()) as ReceivedMail[];
}

/**
 * Waits for a mail to an address (the app sends through its job worker). With `match`, only
 * mails it accepts count (demo data may send other mails to the same person).
 */
export async function waitForMail(address: string, opts: { match?: (m: ReceivedMail) => boolean; count?: number; timeoutMs?: number } = {}): Promise<ReceivedMail> {
	const count = opts.count ?? 1;
	const until = Date.now() + (opts.timeoutMs ?? 20_000);
	for (;;) {
		const list = (await mailsTo(address)).filter(opts.match ?? (() => true));
		if (list.length >= count) return list[count - 1];
		if (Date.now() > until) throw new Error(`Keine ${count}. passende Mail an ${address} angekommen (bisher ${list.length}; insgesamt: ${(await mailsTo(address)).map((m) => m.subject).join(' | ') || 'keine'}).`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

/** Accepts mails that contain a link to this path of the app. */
export function withLink(pathPrefix: string): (m: ReceivedMail) => boolean {
	return (m) => m.text.includes(pathPrefix) || m.html.includes(pathPrefix);
}

/** The first link in a mail whose path starts with `pathPrefix` (text part, else HTML). */
export function linkIn(mail: ReceivedMail, pathPrefix: string): string {
	const { baseURL } = inject('e2e');
	const escaped = (baseURL + pathPrefix).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	const m = new RegExp(`${escaped}[^\\s"'<>)\\]]*`).exec(mail.text) ?? new RegExp(`${escaped}[^\\s"'<>)\\]]*`).exec(mail.html);
	if (!m) throw new Error(`Kein Link ${baseURL}${pathPrefix}… in der Mail „${mail.subject}“:\n${mail.text}`);
	return m[0].replace(/[.,;:]+$/, '');
}
