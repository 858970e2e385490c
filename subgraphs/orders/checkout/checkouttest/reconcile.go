// Package checkouttest checks, for tests and drills, that checkout's three
// records agree: the orders database, the payment provider's ledger and the
// catalog's stock.
package checkouttest

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Report is what Reconcile found.
type Report struct {
	// Orders counts every checkout recorded; Placed those ever paid, of which
	// Returned were cancelled or refunded; Failed those that never were.
	Orders, Placed, Returned, Failed int
	// Unfinished counts orders whose saga is not done.
	Unfinished int
	// Charges counts successful charges; Refunds those refunded.
	Charges, Refunds int
	// Committed counts the catalog's committed reservations; Held those still reserved.
	Committed, Held int
	// Problems lists every disagreement, empty when all agree.
	Problems []string
}

// Reconcile checks that:
//   - every order is finished (its saga DONE);
//   - a placed order that stands (payment PAID) has one successful, unrefunded
//     charge of its total under its id; a returned one (payment REFUNDED) a
//     refunded one; a failed checkout no charge that stands;
//   - no successful charge stands without a paid order;
//   - the catalog holds no reservation, has committed exactly the orders that
//     kept their units (paid ones, and returned ones that had left the
//     warehouse), and each variant in startOnHand has its starting units less
//     the committed ones on hand.
func Reconcile(ctx context.Context, ordersDB, catalogDB *pgxpool.Pool, startOnHand map[int64]int) (Report, error) {
	var r Report
	rows, err := ordersDB.Query(ctx, `
		SELECT o.id::text, o.status, o.payment_status, o.step, o.total_minor, o.restock,
		       c.outcome = 'SUCCEEDED', coalesce(c.amount_minor, 0), c.refunded_at IS NOT NULL
		FROM orders o LEFT JOIN test_provider_charges c ON c.idempotency_key = o.id::text`)
	if err != nil {
		return r, fmt.Errorf("read orders: %w", err)
	}
	keeps := map[string]bool{} // order id: its units are sold
	var (
		id, status, payment, step string
		total, amount             int64
		restock                   bool
		charged, refunded         *bool
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &status, &payment, &step, &total, &restock, &charged, &amount, &refunded}, func() error {
		r.Orders++
		succeeded := charged != nil && *charged
		wasRefunded := refunded != nil && *refunded
		if step != "DONE" {
			r.Unfinished++
			r.Problems = append(r.Problems, fmt.Sprintf("order %s: unfinished in step %s", id, step))
			return nil
		}
		switch payment {
		case "PAID":
			r.Placed++
			keeps[id] = true
			if !succeeded || amount != total || wasRefunded {
				r.Problems = append(r.Problems, fmt.Sprintf("order %s: paid, but its charge is missing, refunded or of another amount", id))
			}
		case "REFUNDED":
			r.Placed++
			r.Returned++
			keeps[id] = !restock
			if !succeeded || !wasRefunded {
				r.Problems = append(r.Problems, fmt.Sprintf("order %s: refunded, but its charge stands or is missing", id))
			}
		case "FAILED":
			r.Failed++
			if succeeded && !wasRefunded {
				r.Problems = append(r.Problems, fmt.Sprintf("order %s: a failed checkout kept its charge", id))
			}
		default:
			r.Problems = append(r.Problems, fmt.Sprintf("order %s: finished with payment %s", id, payment))
		}
		return nil
	})
	if err != nil {
		return r, fmt.Errorf("read orders: %w", err)
	}
	var orphans int
	err = ordersDB.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE outcome = 'SUCCEEDED'),
		       count(*) FILTER (WHERE outcome = 'SUCCEEDED' AND refunded_at IS NOT NULL),
		       count(*) FILTER (WHERE outcome = 'SUCCEEDED' AND refunded_at IS NULL AND NOT EXISTS (
		           SELECT FROM orders o WHERE o.id::text = c.idempotency_key AND o.payment_status = 'PAID'))
		FROM test_provider_charges c`).Scan(&r.Charges, &r.Refunds, &orphans)
	if err != nil {
		return r, fmt.Errorf("read charges: %w", err)
	}
	if orphans > 0 {
		r.Problems = append(r.Problems, fmt.Sprintf("%d charges stand without a paid order", orphans))
	}

	rows, err = catalogDB.Query(ctx, `SELECT order_id, status FROM stock_reservations WHERE status IN ('reserved', 'committed')`)
	if err != nil {
		return r, fmt.Errorf("read reservations: %w", err)
	}
	_, err = pgx.ForEachRow(rows, []any{&id, &status}, func() error {
		if status == "reserved" {
			r.Held++
			r.Problems = append(r.Problems, fmt.Sprintf("order %s: stock still reserved", id))
			return nil
		}
		r.Committed++
		if !keeps[id] {
			r.Problems = append(r.Problems, fmt.Sprintf("order %s: stock committed, but the order did not keep it", id))
		}
		delete(keeps, id)
		return nil
	})
	if err != nil {
		return r, fmt.Errorf("read reservations: %w", err)
	}
	for id, kept := range keeps {
		if kept {
			r.Problems = append(r.Problems, fmt.Sprintf("order %s: kept its units, but its stock is not committed", id))
		}
	}
	for variant, start := range startOnHand {
		var onHand, reserved, committed int
		err := catalogDB.QueryRow(ctx, `
			SELECT v.stock_on_hand, v.stock_reserved, coalesce((
				SELECT sum(l.quantity) FROM stock_reservation_lines l JOIN stock_reservations s USING (order_id)
				WHERE l.variant_id = v.id AND s.status = 'committed'), 0)
			FROM product_variants v WHERE v.id = $1`, variant).Scan(&onHand, &reserved, &committed)
		if err != nil {
			return r, fmt.Errorf("read stock of variant %d: %w", variant, err)
		}
		if onHand != start-committed || reserved != 0 || onHand < 0 {
			r.Problems = append(r.Problems, fmt.Sprintf("variant %d: %d on hand and %d reserved; it started with %d and sold %d",
				variant, onHand, reserved, start, committed))
		}
	}
	return r, nil
}
