/** Reading the mails that the app sent to the SMTP test server (see mail-server.ts). */
import { inject } from 'vitest';
import type { ReceivedMail } from './mail-server';

export type { ReceivedMail };

export async function mailsTo(address: string): Promise<ReceivedMail[]> {
	const res = await fetch(`${inject('e2e').mailURL}/messages?to=${encodeURIComponent(address)}`);
	if (!res.ok) throw new Error(`SMTP-Testserver: ${res.status}`);
	return (await res.json()) as ReceivedMail[];
}

/** Waits for the `count`-th mail to an address (the app sends through its job worker). */
export async function waitForMail(address: string, opts: { count?: number; timeoutMs?: number } = {}): Promise<ReceivedMail> {
	const count = opts.count ?? 1;
	const until = Date.now() + (opts.timeoutMs ?? 20_000);
	for (;;) {
		const list = await mailsTo(address);
		if (list.length >= count) return list[count - 1];
		if (Date.now() > until) throw new Error(`Keine ${count}. Mail an ${address} angekommen (bisher ${list.length}).`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

/** The first link in a mail whose path starts with `pathPrefix` (text part, else HTML). */
export function linkIn(mail: ReceivedMail, pathPrefix: string): string {
	const { baseURL } = inject('e2e');
	const escaped = (baseURL + pathPrefix).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	const m = new RegExp(`${escaped}[^\\s"'<>)\\]]*`).exec(mail.text) ?? new RegExp(`${escaped}[^\\s"'<>)\\]]*`).exec(mail.html);
	if (!m) throw new Error(`Kein Link ${baseURL}${pathPrefix}… in der Mail „${mail.subject}“:\n${mail.text}`);
	return m[0].replace(/[.,;:]+$/, '');
}
