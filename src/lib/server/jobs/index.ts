/**
 * Durable background jobs on PostgreSQL. `enqueueJob` takes the caller's transaction, so a
 * job exists exactly when the change that caused it commits. Workers claim due jobs with
 * `FOR UPDATE SKIP LOCKED` (each job runs in one process only), hold a lease while they run,
 * and retry failures with exponential backoff. A worker killed mid-job leaves a lease that
 * runs out; another worker then takes the job again, so handlers must be idempotent.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import type { DbOrTx } from '../db';
import { jobs } from './schema';

export interface EnqueueOptions {
	/** Run not before this time. */
	runAt?: Date;
	maxAttempts?: number;
}

export async function enqueueJob(tx: DbOrTx, kind: string, payload: Record<string, unknown>, opts: EnqueueOptions = {}): Promise<number> {
	const [row] = await tx
		.insert(jobs)
		.values({ kind, payload, runAt: opts.runAt ?? new Date(), maxAttempts: opts.maxAttempts ?? 8 })
		.returning({ id: jobs.id });
	// Wakes idle workers at commit; without it they would find the job at their next poll.
	await tx.execute(sql`select pg_notify('kommunennetz_jobs', ${kind})`);
	return row.id;
}

/** A job handler; throw `PermanentJobError` for failures that retrying cannot fix. */
export type JobHandler = (payload: Record<string, unknown>, job: { id: number; attempts: number }) => Promise<void>;

export class PermanentJobError extends Error {}

/** Delay before attempt n+1: 10 s, 20 s, 40 s … capped at one hour. */
export function backoffSeconds(attempts: number): number {
	return Math.min(3600, 10 * 2 ** Math.max(0, attempts - 1));
}

export interface WorkerOptions {
	pool: pg.Pool;
	handlers: Record<string, JobHandler>;
	/** Poll interval when no notification arrives. */
	pollMs?: number;
	/** How long a claimed job stays locked to this worker. */
	leaseSeconds?: number;
	/** Jobs run at once by this worker. */
	concurrency?: number;
	log?: (msg: string) => void;
}

export interface Worker {
	id: string;
	/** Runs due jobs until none is left; for tests and the CLI. */
	drain(): Promise<number>;
	stop(): Promise<void>;
}

interface ClaimedJob {
	id: number;
	kind: string;
	payload: Record<string, unknown>;
	attempts: number;
	max_attempts: number;
}

export function startWorker(opts: WorkerOptions, autoStart = true): Worker {
	const id = `${process.pid}-${randomUUID().slice(0, 8)}`;
	const lease = opts.leaseSeconds ?? 300;
	const concurrency = opts.concurrency ?? 4;
	const log = opts.log ?? (() => {});
	let stopped = false;
	let running = 0;
	let timer: NodeJS.Timeout | undefined;
	let listener: pg.PoolClient | undefined;
	const inFlight = new Set<Promise<void>>();
	const kinds = Object.keys(opts.handlers);

	async function claim(): Promise<ClaimedJob | undefined> {
		const res = await opts.pool.query<ClaimedJob>(
			`update jobs set status = 'running', attempts = attempts + 1, locked_by = $1,
			        locked_until = now() + make_interval(secs => $2)
			  where id = (
			    select id from jobs
			     where kind = any($3::text[])
			       and ((status = 'pending' and run_at <= now())
			         or (status = 'running' and locked_until < now()))
			     order by run_at, id
			     for update skip locked
			     limit 1)
			returning id, kind, payload, attempts, max_attempts`,
			[id, lease, kinds]
		);
		return res.rows[0];
	}

	async function runOne(job: ClaimedJob): Promise<void> {
		const handler = opts.handlers[job.kind];
		try {
			await handler(job.payload, { id: job.id, attempts: job.attempts });
			await opts.pool.query(
				`update jobs set status = 'done', finished_at = now(), locked_by = null, locked_until = null, last_error = null
				  where id = $1 and locked_by = $2`,
				[job.id, id]
			);
		} catch (err) {
			const message = (err as Error).message ?? String(err);
			const final = err instanceof PermanentJobError || job.attempts >= job.max_attempts;
			log(`Auftrag ${job.kind} #${job.id} fehlgeschlagen (Versuch ${job.attempts}): ${message}`);
			await opts.pool
				.query(
					`update jobs set status = $3, last_error = $4, locked_by = null, locked_until = null,
					        run_at = now() + make_interval(secs => $5), finished_at = case when $3 = 'failed' then now() end
					  where id = $1 and locked_by = $2`,
					[job.id, id, final ? 'failed' : 'pending', message.slice(0, 2000), backoffSeconds(job.attempts)]
				)
				.catch((e) => log(`Auftrag #${job.id}: Status nicht gespeichert: ${e.message}`));
		}
	}

	/** Claims and starts jobs while there are free slots. Returns how many it started. */
	async function fill(): Promise<number> {
		let started = 0;
		while (!stopped && running < concurrency) {
			let job: ClaimedJob | undefined;
			try {
				job = await claim();
			} catch (err) {
				log(`Auftragswarteschlange nicht erreichbar: ${(err as Error).message}`);
				return started;
			}
			if (!job) break;
			started++;
			running++;
			const p = runOne(job).finally(() => {
				running--;
				inFlight.delete(p);
				if (!stopped) void fill();
			});
			inFlight.add(p);
		}
		return started;
	}

	function schedule() {
		if (stopped) return;
		timer = setTimeout(async () => {
			await fill();
			schedule();
		}, opts.pollMs ?? 2000);
		timer.unref();
	}

	async function listen() {
		try {
			listener = await opts.pool.connect();
			listener.on('notification', () => void fill());
			listener.on('error', () => {
				/* the poll keeps working; a lost listener is only slower */
			});
			await listener.query('listen kommunennetz_jobs');
		} catch (err) {
			log(`LISTEN nicht möglich, es wird nur abgefragt: ${(err as Error).message}`);
		}
	}

	if (autoStart) {
		void listen().then(() => fill());
		schedule();
	}

	return {
		id,
		async drain() {
			let total = 0;
			for (;;) {
				const n = await fill();
				total += n;
				await Promise.all([...inFlight]);
				if (n === 0 && running === 0) return total;
			}
		},
		async stop() {
			stopped = true;
			if (timer) clearTimeout(timer);
			await Promise.all([...inFlight]);
			if (listener) {
				await listener.query('unlisten *').catch(() => undefined);
				listener.release();
			}
		}
	};
}
