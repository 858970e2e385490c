// Small helpers for orders: their addresses in the store and their words.

const orderPrefix = 'gid://shopgraph/Order/';

/** orderPath is an order's page; the id's fixed prefix stays out of the address bar. */
export function orderPath(id: string, page: '' | '/confirmation' = ''): string {
  const tail = id.startsWith(orderPrefix) ? id.slice(orderPrefix.length) : id;
  return `/orders/${encodeURIComponent(tail)}${page}`;
}

/** orderIdFromPath is the order id of the :id part of an order's page address. */
export function orderIdFromPath(param: string): string {
  return param.startsWith('gid://') ? param : orderPrefix + param;
}

const statusWords: Record<string, string> = {
  PENDING: 'Being confirmed',
  PAID: 'Paid',
  FULFILLED: 'Packed',
  SHIPPED: 'Shipped',
  DELIVERED: 'Delivered',
  CANCELLED: 'Cancelled',
  REFUNDED: 'Refunded',
};

/** orderStatusWords is an order status as shoppers say it. */
export function orderStatusWords(status: string): string {
  return statusWords[status] ?? status.charAt(0) + status.slice(1).toLowerCase();
}

/** A cart line a checkout refused, as CheckoutUserError.lines gives it, with names for the shopper. */
export interface RefusedLine {
  name: string;
  requested: number;
  available: number;
}

/** refusedLineWords says in plain words what is wrong with one line of an OUT_OF_STOCK or PRICE_CHANGED refusal. */
export function refusedLineWords(code: string, line: RefusedLine): string {
  if (code === 'PRICE_CHANGED') return `${line.name}: the price has changed.`;
  if (line.available <= 0) return `${line.name}: sold out (you asked for ${line.requested}).`;
  return `${line.name}: only ${line.available} left (you asked for ${line.requested}).`;
}

const dates = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium' });
const times = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

/** orderDate is the day an order was placed, such as "6 Dec 2026". */
export function orderDate(iso: string): string {
  return dates.format(new Date(iso));
}

/** orderTime is the day and time of a step in an order's history, such as "6 Dec 2026, 08:31". */
export function orderTime(iso: string): string {
  return times.format(new Date(iso));
}
