import type { EventType } from '../../../shared/events';

/**
 * The record operations FastSchema and SnackBase name (`create`, `update`, `delete`) and the
 * hub events they stand for: one table, read both ways ({@link OPERATION_OF} is its reverse).
 */
export const OPERATIONS = {
  create: 'record.created',
  update: 'record.updated',
  delete: 'record.deleted',
} as const satisfies Record<string, EventType>;

export type Operation = keyof typeof OPERATIONS;

/** Every operation, in the table's order. */
export const ALL_OPERATIONS = Object.keys(OPERATIONS) as Operation[];

/** The operation a hub event stands for; record events only. */
export const OPERATION_OF: Partial<Record<EventType, Operation>> = Object.fromEntries(
  ALL_OPERATIONS.map((op) => [OPERATIONS[op], op]),
);

/** Whether `name` is an operation: own names only (`valueOf`, `__proto__`… are not operations). */
export function isOperation(name: unknown): name is Operation {
  return typeof name === 'string' && Object.hasOwn(OPERATIONS, name);
}

/** The hub events of some operations. */
export function eventsOf(ops: Iterable<Operation>): Set<EventType> {
  return new Set([...ops].map((op) => OPERATIONS[op]));
}
