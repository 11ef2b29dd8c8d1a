import { randomUUID } from 'node:crypto';
import { HttpError } from './http.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The order id the strangler gateway chose (`x-order-id`, so its routing stays sticky), or a new one. */
export function orderIdFrom(header: string | undefined): string {
  if (header === undefined || header === '') return randomUUID();
  if (!UUID.test(header)) throw new HttpError(400, 'x-order-id must be a UUID');
  return header.toLowerCase();
}
