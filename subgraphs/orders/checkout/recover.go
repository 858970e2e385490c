package checkout

import (
	"context"
	"time"

	"github.com/shopgraph/shopgraph/subgraphs/orders"
)

// recoveryBatch is how many orders one recovery pass claims at most.
const recoveryBatch = 20

// Recover finishes or undoes every unfinished order whose lease has run out
// (its worker crashed, or paused on an outage), and refunds late charges of
// given-up checkouts. A checkout interrupted before its charge is left to its
// shopper's retry for Config.AbandonAfter. Replicas may run it at the same time: each order is
// claimed by one of them. It returns how many orders it worked on.
func (s *Service) Recover(ctx context.Context) (int, error) {
	n := 0
	for {
		lease := s.newLease()
		stale, err := s.store.ClaimStale(ctx, lease, recoveryBatch, s.now().Add(-s.cfg.AbandonAfter))
		if err != nil {
			return n, err
		}
		for _, o := range stale {
			got, pause, err := s.run(ctx, o, lease, nil)
			switch {
			case err != nil:
				s.log.ErrorContext(ctx, "recovery failed", "order_id", o.ID, "step", o.Step, "err", err)
			case pause != nil:
				s.log.WarnContext(ctx, "recovery paused", "order_id", o.ID, "step", got.Step, "reason", pause.Message)
			default:
				s.log.InfoContext(ctx, "recovered order", "order_id", o.ID, "from_step", o.Step, "status", got.Status, "payment", got.PaymentStatus)
			}
		}
		n += len(stale)
		if len(stale) < recoveryBatch || ctx.Err() != nil {
			break
		}
	}
	checked, err := s.recheckPayments(ctx)
	return n + checked, err
}

// recheckPayments refunds charges that landed after their checkout was given up.
func (s *Service) recheckPayments(ctx context.Context) (int, error) {
	due, err := s.store.ClaimPaymentRechecks(ctx, s.newLease(), recoveryBatch)
	if err != nil {
		return 0, err
	}
	for _, o := range due {
		ch, err := s.pay.ChargeByKey(ctx, o.ID)
		if err != nil {
			s.log.WarnContext(ctx, "payment recheck failed; it runs again", "order_id", o.ID, "err", err)
			continue
		}
		if ch != nil && ch.Succeeded() && !ch.Refunded && !o.Placed() {
			if _, err := s.pay.Refund(ctx, ch.ID); err != nil {
				s.log.WarnContext(ctx, "late charge not refunded yet; it runs again", "order_id", o.ID, "err", err)
				continue
			}
			s.log.WarnContext(ctx, "refunded a charge that landed after its checkout was given up", "order_id", o.ID, "charge_id", ch.ID)
		}
		if err := s.store.PaymentRechecked(ctx, o.ID); err != nil {
			return len(due), err
		}
	}
	return len(due), nil
}

// RunRecovery runs Recover every interval until ctx ends.
func (s *Service) RunRecovery(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.Recover(ctx); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "recovery pass failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Return cancels (to CANCELLED, by the customer before fulfilment or an
// admin) or refunds (to REFUNDED, by an admin) a placed order: the move is
// recorded first, then the charge is refunded and, for an order that had not
// left the warehouse, its units go back on hand. Should a call fail, the
// order stays in RETURNING and recovery finishes it.
func (s *Service) Return(ctx context.Context, id string, to orders.Status, actor orders.Actor, note string) (*orders.Order, error) {
	lease := s.newLease()
	o, err := s.store.Return(ctx, id, to, actor, note, lease)
	if err != nil {
		return nil, err
	}
	o, _, err = s.run(ctx, o, lease, nil)
	return o, err
}
