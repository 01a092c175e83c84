import { checkRecord } from '../../../shared/record-validation';
import { PUBLIC_ACCOUNT } from '../../auth/principal';
import { AppError } from '../../errors';
import type { Store } from '../../store';
import { rowErrors } from '../on-error';
import { denied, objectBody } from '../guards';
import { reply, type Router } from '../router';
import { access, passes, writeContext } from './record-helpers';

// note: 1,000 rows hold the write lock for a few ms and answer in a few hundred KiB; a bigger import is several requests.
export const MAX_BATCH = 1000;

/** One failing row of a batch: its index in `records` and field -> message. */
export interface RowErrors {
  index: number;
  errors: Record<string, string>;
}

function batchError(errors: RowErrors[], total: number): AppError {
  const n = errors.length;
  return new AppError(
    400,
    'validation_failed',
    `${n} of ${total} records ${n === 1 ? 'is' : 'are'} not valid; nothing was written.`,
    { errors },
  );
}

/**
 * `POST /api/v1/collections/{name}/records/batch` `{records:[…], dry_run?}`: creates every
 * record in one transaction, or none. A dry run (`?dry_run=1` or `dry_run: true`) runs the
 * same inserts and rolls them back, so it also reports unique and id conflicts; it emits nothing.
 */
export function batchRoutes(router: Router, store: Store): void {
  router.on('POST', '/api/v1/collections/:name/records/batch', async (ctx) => {
    const c = store.collections.require(ctx.params.name!);
    const rule = access(ctx, c, 'create');
    const body = await objectBody(ctx);
    const rows = body.records;
    if (!Array.isArray(rows) || rows.length === 0 || rows.length > MAX_BATCH)
      throw new AppError(400, 'validation_failed', `Send 'records': an array of 1 to ${MAX_BATCH} records.`, {
        records: Array.isArray(rows) ? `has ${rows.length} records` : 'must be an array',
      });
    const unknown = Object.keys(body).filter((k) => k !== 'records' && k !== 'dry_run');
    if (unknown.length)
      throw new AppError(400, 'validation_failed', 'The body names unknown keys.', {
        ...Object.fromEntries(unknown.map((k) => [k, 'unknown key (use records, dry_run)'])),
      });
    const q = ctx.url.searchParams.get('dry_run');
    const dryRun = body.dry_run === true || q === '1' || q === 'true';

    const p = ctx.principal;
    const account = p?.account ?? PUBLIC_ACCOUNT;
    const errors: RowErrors[] = [];
    const values: Record<string, unknown>[] = rows.map((row: unknown, index) => {
      const { value, errors: e } = checkRecord(c.fields, row, 'create');
      if (!Object.keys(e).length && !passes(rule, value, p))
        e._rule = `the create rule of '${c.name}' does not allow this record`;
      if (Object.keys(e).length) errors.push({ index, errors: e });
      return value;
    });
    const denials = errors.filter((r) => r.errors._rule);
    if (!dryRun && denials.length)
      throw denied(
        ctx,
        `The create rule of '${c.name}' does not allow record${denials.length > 1 ? 's' : ''} ${denials.map((d) => d.index).join(', ')}; nothing was written.`,
      );
    if (!dryRun && errors.length) throw batchError(errors, rows.length);

    // The rows that passed the checks above go to the store; its errors come back by their index.
    const failed = new Set(errors.map((r) => r.index));
    const tried = values.flatMap((value, index) => (failed.has(index) ? [] : [{ value, index }]));
    const result = await store.records.insertMany(
      c,
      tried.map((t) => t.value),
      { account, dryRun, ...writeContext(ctx) },
    );
    for (const { index, error } of result.errors)
      errors.push({ index: tried[index]!.index, errors: rowErrors(error) });
    if (dryRun) {
      errors.sort((a, b) => a.index - b.index);
      return { valid: rows.length - errors.length, errors };
    }
    if (errors.length) throw batchError(errors, rows.length);
    return reply(201, { items: result.items });
  });
}
