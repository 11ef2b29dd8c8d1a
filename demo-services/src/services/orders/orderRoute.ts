import type { RequestHandler } from 'express';
import type { Db } from '../../lib/db.js';
import { HttpError, route } from '../../lib/http.js';
import { getOrder } from './store.js';

/** `GET /orders/:id`, answered the same by the orders service and the monolith from their own database. */
export function getOrderRoute(db: Db): RequestHandler {
  return route((req, res) => {
    const order = getOrder(db, String(req.params.id));
    if (!order) throw new HttpError(404, 'no such order');
    res.json({ orderId: order.id, status: order.status, sku: order.sku, qty: order.qty, amount: order.amount });
  });
}
