/**
 * PDFs of the joint declaration: the personalised copy for one member (its name and signatory
 * in the signature block) and the signatory sheet of a signing round. Built with pdfkit's
 * standard fonts (WinAnsi covers German), tagged with title and language for screen readers.
 */
import PDFDocument from 'pdfkit';
import { marked, type Token, type Tokens } from 'marked';
import type { DbOrTx } from '../db';
import { formatDate } from '../../format';
import { formalName } from './common';
import { declarationVersionAt, getDeclarationVersion, getSigningRound } from './declaration';
import { SIGNATORY_ROLE_LABELS, type SignatoryRole } from './labels';
import type { MemberDetail } from './registry';

type Doc = InstanceType<typeof PDFDocument>;

const MARGIN = 60;

function newDoc(title: string, compress: boolean): Doc {
	return new PDFDocument({
		size: 'A4',
		margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
		info: { Title: title, Author: 'Kommunen-Netzwerk: engagiert in NRW', Subject: 'Gemeinsame Erklärung „Zukunftsfaktor Bürgerengagement“' },
		lang: 'de-DE',
		displayTitle: true,
		compress,
		bufferPages: true
	});
}

function finish(doc: Doc): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		doc.on('data', (c: Buffer) => chunks.push(c));
		doc.on('end', () => resolve(Buffer.concat(chunks)));
		doc.on('error', reject);
		const range = doc.bufferedPageRange();
		for (let i = range.start; i < range.start + range.count; i++) {
			doc.switchToPage(i);
			const bottom = doc.page.margins.bottom;
			doc.page.margins.bottom = 0;
			doc
				.font('Helvetica')
				.fontSize(8)
				.fillColor('#555555')
				.text(`Seite ${i + 1} von ${range.count}`, MARGIN, doc.page.height - 40, { width: doc.page.width - 2 * MARGIN, align: 'right' });
			doc.page.margins.bottom = bottom;
		}
		doc.end();
	});
}

/** Plain text of inline markdown tokens (emphasis is kept as words; PDFs here are simple). */
function inlineText(tokens: Token[] | undefined, fallback: string): string {
	if (!tokens) return fallback;
	return tokens.map((t) => ('tokens' in t && t.tokens ? inlineText(t.tokens, '') : 'text' in t ? (t.text as string) : '')).join('');
}

function unescape(s: string): string {
	return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

/** Headings, paragraphs, lists and rules of a markdown text. */
function renderMarkdown(doc: Doc, markdown: string): void {
	const width = doc.page.width - 2 * MARGIN;
	for (const token of marked.lexer(markdown)) {
		if (token.type === 'heading') {
			const h = token as Tokens.Heading;
			doc.moveDown(0.6).font('Helvetica-Bold').fontSize(h.depth <= 1 ? 15 : h.depth === 2 ? 13 : 11.5).fillColor('#000000');
			doc.text(unescape(inlineText(h.tokens, h.text)), { width });
			doc.moveDown(0.3);
		} else if (token.type === 'paragraph') {
			const p = token as Tokens.Paragraph;
			doc.font('Helvetica').fontSize(11).fillColor('#000000').text(unescape(inlineText(p.tokens, p.text)), { width, align: 'justify', lineGap: 2 });
			doc.moveDown(0.6);
		} else if (token.type === 'list') {
			const l = token as Tokens.List;
			l.items.forEach((item, i) => {
				const bullet = l.ordered ? `${(Number(l.start) || 1) + i}.` : '•';
				doc.font('Helvetica').fontSize(11).text(`${bullet} ${unescape(inlineText(item.tokens, item.text))}`, { width, indent: 0, lineGap: 2 });
			});
			doc.moveDown(0.6);
		} else if (token.type === 'hr') {
			doc.moveDown(0.3);
			doc.moveTo(MARGIN, doc.y).lineTo(MARGIN + width, doc.y).strokeColor('#999999').stroke();
			doc.moveDown(0.6);
		}
	}
}

function header(doc: Doc, kicker: string): void {
	doc.font('Helvetica-Bold').fontSize(10).fillColor('#1a3da5').text('Kommunen-Netzwerk: engagiert in NRW', { width: doc.page.width - 2 * MARGIN });
	doc.font('Helvetica').fontSize(9).fillColor('#555555').text(kicker);
	doc.moveDown(1.2).fillColor('#000000');
}

function signatureBlock(doc: Doc, lines: string[]): void {
	const width = (doc.page.width - 2 * MARGIN) / 2 - 20;
	if (doc.y > doc.page.height - MARGIN - 110) doc.addPage();
	doc.moveDown(2.5);
	const y = doc.y;
	doc.moveTo(MARGIN, y).lineTo(MARGIN + width, y).strokeColor('#000000').stroke();
	doc.moveDown(0.3);
	doc.font('Helvetica-Bold').fontSize(10.5).text(lines[0], MARGIN, doc.y, { width });
	doc.font('Helvetica').fontSize(10);
	for (const l of lines.slice(1)) doc.text(l, MARGIN, doc.y, { width });
}

/**
 * The declaration for one member to sign or to keep: the version of its signing round (or the
 * one valid today), the place line, the state's and the member's signature blocks.
 */
export async function declarationPdf(conn: DbOrTx, member: MemberDetail, opts: { compress?: boolean; today?: string } = {}): Promise<Buffer> {
	const round = member.signingRound ? await getSigningRound(conn, member.signingRound) : undefined;
	const version = (round?.declarationVersionId ? await getDeclarationVersion(conn, round.declarationVersionId) : undefined) ?? (await declarationVersionAt(conn, opts.today ?? new Date().toISOString().slice(0, 10)));
	const org = formalName(member);
	const doc = newDoc(`Gemeinsame Erklärung – ${org}`, opts.compress ?? true);
	header(doc, round ? `Unterzeichnet in der ${round.number}. Unterzeichnungsrunde am ${formatDate(round.date)}${round.dateApproximate ? ' (Datum ungefähr)' : ''}${round.place ? ` in ${round.place}` : ''}` : 'Fassung zur Unterzeichnung');
	doc.font('Helvetica-Bold').fontSize(18).text('Gemeinsame Erklärung');
	doc.font('Helvetica').fontSize(12).text(version?.title ?? 'Zukunftsfaktor Bürgerengagement – Gemeinsam und vernetzt handeln');
	doc.moveDown(0.4).fontSize(10).fillColor('#333333').text(`für ${org}`);
	doc.moveDown(1).fillColor('#000000');
	if (version) renderMarkdown(doc, version.bodyMarkdown);
	else doc.font('Helvetica').fontSize(11).text('Der Text der Gemeinsamen Erklärung ist noch nicht hinterlegt.');
	if (version?.placeLine) doc.moveDown(0.5).font('Helvetica').fontSize(11).text(version.placeLine);
	if (version?.stateSignatoryName) signatureBlock(doc, [version.stateSignatoryName, version.stateSignatoryOffice ?? 'für das Land Nordrhein-Westfalen']);
	const name = member.signatoryName ?? '(Name der unterzeichnenden Person)';
	signatureBlock(doc, [name, member.signatoryOffice ? `${member.signatoryOffice}, ${org}` : org]);
	return finish(doc);
}

/** The signatory sheet of a round: everyone who signed, grouped by role, with a line to sign. */
export async function signatorySheetPdf(conn: DbOrTx, number: number, opts: { compress?: boolean } = {}): Promise<Buffer | null> {
	const round = await getSigningRound(conn, number);
	if (!round) return null;
	const doc = newDoc(`Unterzeichnungsliste der ${round.number}. Unterzeichnungsrunde`, opts.compress ?? true);
	header(doc, 'Gemeinsame Erklärung „Zukunftsfaktor Bürgerengagement – Gemeinsam und vernetzt handeln“');
	doc.font('Helvetica-Bold').fontSize(17).text(`${round.number}. Unterzeichnungsrunde`);
	doc
		.font('Helvetica')
		.fontSize(11)
		.text(`${formatDate(round.date)}${round.dateApproximate ? ' (Datum ungefähr; der genaue Tag ist nicht überliefert)' : ''}${round.place ? ` · ${round.place}` : ''}`);
	if (round.version) doc.text(`Fassung: ${round.version.title}`);
	doc.moveDown(1);
	const width = doc.page.width - 2 * MARGIN;
	const col = [MARGIN, MARGIN + width * 0.4, MARGIN + width * 0.7];
	for (const role of ['state', 'umbrella', 'member'] as SignatoryRole[]) {
		const list = round.signatories.filter((s) => s.role === role);
		if (!list.length) continue;
		if (doc.y > doc.page.height - MARGIN - 80) doc.addPage();
		doc.moveDown(0.5).font('Helvetica-Bold').fontSize(12).text(`${role === 'member' ? 'Mitglieder' : SIGNATORY_ROLE_LABELS[role]} (${list.length})`, MARGIN, doc.y, { width });
		doc.moveDown(0.3).font('Helvetica-Bold').fontSize(9).fillColor('#333333');
		const hy = doc.y;
		doc.text('Organisation', col[0], hy, { width: col[1] - col[0] - 8 });
		doc.text('Name, Amt', col[1], hy, { width: col[2] - col[1] - 8 });
		doc.text('Unterschrift', col[2], hy, { width: MARGIN + width - col[2] });
		doc.fillColor('#000000').moveDown(0.4);
		for (const s of list) {
			if (doc.y > doc.page.height - MARGIN - 40) doc.addPage();
			const y = doc.y + 4;
			doc.font('Helvetica').fontSize(10);
			const h1 = doc.heightOfString(s.organisation, { width: col[1] - col[0] - 8 });
			const who = [s.name, s.office].filter(Boolean).join(', ') || '–';
			const h2 = doc.heightOfString(who, { width: col[2] - col[1] - 8 });
			doc.text(s.organisation, col[0], y, { width: col[1] - col[0] - 8 });
			doc.text(who, col[1], y, { width: col[2] - col[1] - 8 });
			const rowBottom = y + Math.max(h1, h2, 18) + 6;
			doc.moveTo(col[2], rowBottom - 4).lineTo(MARGIN + width, rowBottom - 4).strokeColor('#999999').stroke();
			doc.moveTo(MARGIN, rowBottom).lineTo(MARGIN + width, rowBottom).strokeColor('#dddddd').stroke();
			doc.y = rowBottom;
			doc.x = MARGIN;
		}
	}
	if (!round.signatories.length) doc.font('Helvetica').fontSize(11).text('Für diese Runde sind noch keine Unterzeichnenden erfasst.');
	return finish(doc);
}
