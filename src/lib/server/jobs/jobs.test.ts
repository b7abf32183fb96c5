import { sql } from 'drizzle-orm';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../testing';
import { backoffSeconds, enqueueJob, PermanentJobError, startWorker, type JobHandler } from '.';

const t = useTestDatabase();

interface JobRow {
	id: number;
	status: string;
	attempts: number;
	max_attempts: number;
	last_error: string | null;
	run_at: Date;
	locked_by: string | null;
	finished_at: Date | null;
	due_in_seconds: number;
}

async function job(id: number): Promise<JobRow> {
	const r = await t.database.pool.query<JobRow>(
		`select *, extract(epoch from run_at - now())::float as due_in_seconds from jobs where id = $1`,
		[id]
	);
	return r.rows[0];
}

async function makeDue(id: number) {
	await t.database.pool.query(`update jobs set run_at = now() where id = $1`, [id]);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('enqueueJob', () => {
	it('creates the job only when the transaction commits', async () => {
		const kind = 'test.tx';
		await expect(
			t.database.db.transaction(async (tx) => {
				await enqueueJob(tx, kind, { n: 1 });
				tx.rollback();
			})
		).rejects.toThrow();
		const id = await t.database.db.transaction((tx) => enqueueJob(tx, kind, { n: 2 }));
		const rows = await t.database.pool.query(`select id, payload from jobs where kind = $1`, [kind]);
		expect(rows.rows).toEqual([{ id, payload: { n: 2 } }]);
	});
});

describe('worker', () => {
	it('runs a job once and marks it done', async () => {
		const seen: unknown[] = [];
		const id = await enqueueJob(t.database.db, 'test.once', { hello: 'welt' });
		const w = startWorker({ pool: t.database.pool, handlers: { 'test.once': async (p, j) => void seen.push([p, j]) } }, false);
		expect(await w.drain()).toBe(1);
		expect(await w.drain()).toBe(0);
		expect(seen).toEqual([[{ hello: 'welt' }, { id, attempts: 1, maxAttempts: 8 }]]);
		const row = await job(id);
		expect(row).toMatchObject({ status: 'done', attempts: 1, locked_by: null, last_error: null });
		expect(row.finished_at).toBeInstanceOf(Date);
		await w.stop();
	});

	it('retries a failing job with backoff and gives up after max_attempts with the last error', async () => {
		let calls = 0;
		const handlers: Record<string, JobHandler> = {
			'test.flaky': async () => {
				calls++;
				throw new Error(`Fehler Nr. ${calls}`);
			}
		};
		const id = await enqueueJob(t.database.db, 'test.flaky', {}, { maxAttempts: 3 });
		const w = startWorker({ pool: t.database.pool, handlers }, false);

		await w.drain();
		let row = await job(id);
		expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: 'Fehler Nr. 1', locked_by: null });
		// First retry after backoffSeconds(1) = 10 s.
		expect(row.due_in_seconds).toBeGreaterThan(backoffSeconds(1) - 3);
		expect(row.due_in_seconds).toBeLessThanOrEqual(backoffSeconds(1));
		// Not due yet: draining again does not run it.
		expect(await w.drain()).toBe(0);
		expect(calls).toBe(1);

		await makeDue(id);
		await w.drain();
		row = await job(id);
		expect(row).toMatchObject({ status: 'pending', attempts: 2, last_error: 'Fehler Nr. 2' });
		expect(row.due_in_seconds).toBeGreaterThan(backoffSeconds(2) - 3);

		await makeDue(id);
		await w.drain();
		row = await job(id);
		expect(row).toMatchObject({ status: 'failed', attempts: 3, last_error: 'Fehler Nr. 3' });
		expect(row.finished_at).toBeInstanceOf(Date);

		await makeDue(id);
		expect(await w.drain()).toBe(0);
		expect(calls).toBe(3);
		await w.stop();
	});

	it('does not retry a PermanentJobError', async () => {
		let calls = 0;
		const id = await enqueueJob(t.database.db, 'test.permanent', {});
		const w = startWorker(
			{
				pool: t.database.pool,
				handlers: {
					'test.permanent': async () => {
						calls++;
						throw new PermanentJobError('Geht grundsätzlich nicht');
					}
				}
			},
			false
		);
		await w.drain();
		expect(await job(id)).toMatchObject({ status: 'failed', attempts: 1, last_error: 'Geht grundsätzlich nicht' });
		await makeDue(id);
		await w.drain();
		expect(calls).toBe(1);
		await w.stop();
	});

	it('runs every one of 200 jobs exactly once with two workers on two pools', async () => {
		const kind = 'test.parallel';
		const ids = await t.database.db.transaction(async (tx) => {
			const out: number[] = [];
			for (let i = 0; i < 200; i++) out.push(await enqueueJob(tx, kind, { i }));
			return out;
		});
		const runs = new Map<number, number>();
		const byWorker: Record<string, number> = {};
		const handler =
			(name: string): JobHandler =>
			async (_p, j) => {
				runs.set(j.id, (runs.get(j.id) ?? 0) + 1);
				byWorker[name] = (byWorker[name] ?? 0) + 1;
				await sleep(Math.random() * 5);
			};
		const pool2 = new pg.Pool({ connectionString: t.database.url, max: 5 });
		// Both start on their own (LISTEN, poll) and are drained at the same time.
		const w1 = startWorker({ pool: t.database.pool, handlers: { [kind]: handler('a') }, concurrency: 4, pollMs: 50 });
		const w2 = startWorker({ pool: pool2, handlers: { [kind]: handler('b') }, concurrency: 4, pollMs: 50 });
		try {
			const [n1, n2] = await Promise.all([w1.drain(), w2.drain()]);
			// Jobs a worker started on its own before drain() are waited for but may not be counted.
			expect(n1 + n2).toBeLessThanOrEqual(200);
		} finally {
			await Promise.all([w1.stop(), w2.stop()]);
			await pool2.end();
		}
		expect(runs.size).toBe(200);
		expect([...runs.values()].every((n) => n === 1)).toBe(true);
		expect(byWorker.a).toBeGreaterThan(0);
		expect(byWorker.b).toBeGreaterThan(0);
		const r = await t.database.pool.query(`select status, count(*)::int as n from jobs where id = any($1) group by status`, [ids]);
		expect(r.rows).toEqual([{ status: 'done', n: 200 }]);
		// Generous: on a loaded 2-core CI machine 200 round trips per worker can take a while.
	}, 120_000);

	it('never runs more jobs at once than its concurrency', async () => {
		const kind = 'test.concurrency';
		for (let i = 0; i < 30; i++) await enqueueJob(t.database.db, kind, {});
		let now = 0;
		let max = 0;
		const w = startWorker(
			{
				pool: t.database.pool,
				concurrency: 3,
				pollMs: 10,
				handlers: {
					[kind]: async () => {
						now++;
						max = Math.max(max, now);
						await sleep(10);
						now--;
					}
				}
			},
			true
		);
		// Notifications, polls and finished jobs all start fills at the same time here.
		for (let i = 0; i < 10; i++) await enqueueJob(t.database.db, kind, {});
		await w.drain();
		await w.stop();
		expect(max).toBe(3);
		const r = await t.database.pool.query(`select count(*)::int as n from jobs where kind = $1 and status = 'done'`, [kind]);
		expect(r.rows[0].n).toBe(40);
	});

	it('takes over a job whose worker died once its lease has run out', async () => {
		const kind = 'test.takeover';
		const id = await enqueueJob(t.database.db, kind, {});
		// A worker of another process claims the job and dies without finishing or renewing it.
		await t.database.pool.query(
			`update jobs set status = 'running', attempts = attempts + 1, locked_by = 'toter-prozess', locked_until = now() + interval '5 minutes' where id = $1`,
			[id]
		);
		const runs: number[] = [];
		const w = startWorker({ pool: t.database.pool, handlers: { [kind]: async (_p, j) => void runs.push(j.attempts) } }, false);
		expect(await w.drain()).toBe(0);
		expect(await job(id)).toMatchObject({ status: 'running', locked_by: 'toter-prozess' });

		await t.database.pool.query(`update jobs set locked_until = now() - interval '1 second' where id = $1`, [id]);
		expect(await w.drain()).toBe(1);
		expect(runs).toEqual([2]);
		expect(await job(id)).toMatchObject({ status: 'done', attempts: 2, locked_by: null });
		await w.stop();
	});

	it('ignores the late result of a worker whose job was taken over', async () => {
		const kind = 'test.late';
		const id = await enqueueJob(t.database.db, kind, {});
		let release!: () => void;
		const slow = new Promise<void>((r) => (release = r));
		// A long lease: w1 does not renew during the test, as if its process hung.
		const w1 = startWorker({ pool: t.database.pool, leaseSeconds: 600, handlers: { [kind]: () => slow.then(() => Promise.reject(new Error('zu spät'))) } }, false);
		const first = w1.drain();
		// Wait until w1 holds the job, then let its lease run out.
		for (let i = 0; i < 100 && (await job(id)).status !== 'running'; i++) await sleep(10);
		await t.database.pool.query(`update jobs set locked_until = now() - interval '1 second' where id = $1`, [id]);
		const w2 = startWorker({ pool: t.database.pool, handlers: { [kind]: async () => {} } }, false);
		expect(await w2.drain()).toBe(1);
		release();
		await first;
		// w1's failure must not overwrite w2's success.
		expect(await job(id)).toMatchObject({ status: 'done', attempts: 2, last_error: null });
		await Promise.all([w1.stop(), w2.stop()]);
	});

	it('renews the lease of a long-running job', async () => {
		const kind = 'test.renew';
		const id = await enqueueJob(t.database.db, kind, {});
		let release!: () => void;
		const hold = new Promise<void>((r) => (release = r));
		const w = startWorker({ pool: t.database.pool, leaseSeconds: 3, handlers: { [kind]: () => hold } }, false);
		const running = w.drain();
		const lockedUntil = async () =>
			(await t.database.pool.query<{ t: Date | null }>(`select locked_until as t from jobs where id = $1`, [id])).rows[0].t?.getTime() ?? 0;
		let first = 0;
		for (let i = 0; i < 200 && !first; i++) first = (await lockedUntil()) || (await sleep(10), 0);
		expect(first).toBeGreaterThan(0);
		// Renewed about every second (a third of the lease) while the handler runs.
		let later = first;
		for (let i = 0; i < 60 && later <= first; i++) {
			await sleep(100);
			later = await lockedUntil();
		}
		expect(later).toBeGreaterThan(first);
		release();
		await running;
		expect((await job(id)).status).toBe('done');
		await w.stop();
	});

	it('wakes up on NOTIFY without waiting for the poll', async () => {
		const kind = 'test.notify';
		let done!: () => void;
		const ran = new Promise<void>((r) => (done = r));
		const w = startWorker({ pool: t.database.pool, pollMs: 60_000, handlers: { [kind]: async () => done() } });
		// Wait until the worker's LISTEN is in place.
		for (let i = 0; i < 100; i++) {
			const r = await t.database.pool.query(`select 1 from pg_stat_activity where datname = current_database() and query ilike 'listen kommunennetz_jobs'`);
			if (r.rowCount) break;
			await sleep(50);
		}
		const t0 = Date.now();
		await t.database.db.transaction((tx) => enqueueJob(tx, kind, {}));
		await ran;
		expect(Date.now() - t0).toBeLessThan(3000);
		await w.stop();
	});

	it('stop() waits for running jobs and then takes no new ones', async () => {
		const kind = 'test.stop';
		let finished = 0;
		const w = startWorker({ pool: t.database.pool, pollMs: 20, handlers: { [kind]: () => sleep(200).then(() => void finished++) } });
		const id = await enqueueJob(t.database.db, kind, {});
		for (let i = 0; i < 100 && (await job(id)).status !== 'running'; i++) await sleep(10);
		await w.stop();
		expect(finished).toBe(1);
		expect((await job(id)).status).toBe('done');
		const later = await enqueueJob(t.database.db, kind, {});
		await sleep(200);
		expect((await job(later)).status).toBe('pending');
		await t.database.db.execute(sql`delete from jobs where id = ${later}`);
	});
});
