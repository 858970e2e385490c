package internalapi

import (
	"context"
	"log/slog"
	"time"

	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

// expiryBatch is how many reservations one sweep transaction releases; a sweep
// runs batches until it finds fewer than this.
const expiryBatch = 500

// maxLoggedOrders bounds the order ids one log line lists.
const maxLoggedOrders = 20

// RunExpiry releases expired reservations now and then every interval until ctx
// ends, logging what it released. Every catalog replica runs it: the store's sweep
// skips rows another replica holds, so each reservation is released once.
func RunExpiry(ctx context.Context, stock catalog.StockService, interval time.Duration, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		SweepExpired(ctx, stock, logger)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// SweepExpired releases every reservation expired by now, batch by batch, and
// returns how many it released. Failures are logged; the next sweep tries again.
func SweepExpired(ctx context.Context, stock catalog.StockService, logger *slog.Logger) int {
	total := 0
	for ctx.Err() == nil {
		released, err := stock.ReleaseExpired(ctx, time.Now(), expiryBatch)
		if err != nil {
			if ctx.Err() == nil {
				logger.WarnContext(ctx, "releasing expired stock reservations failed", "err", err)
			}
			return total
		}
		if len(released) > 0 {
			orders := make([]string, 0, min(len(released), maxLoggedOrders))
			units := 0
			for i, r := range released {
				if i < maxLoggedOrders {
					orders = append(orders, r.OrderID)
				}
				for _, l := range r.Lines {
					units += l.Quantity
				}
			}
			logger.InfoContext(ctx, "released expired stock reservations", "reservations", len(released), "units", units, "orders", orders)
		}
		total += len(released)
		if len(released) < expiryBatch {
			break
		}
	}
	return total
}
