package accounts

import (
	"context"
	"log/slog"
	"time"

	"github.com/shopgraph/shopgraph/subgraphs/users"
)

// Mailer sends one message. A real deployment plugs in an email provider;
// development uses LogMailer.
type Mailer interface {
	Send(ctx context.Context, m users.PendingMessage) error
}

// LogMailer "sends" a message by writing it to the log, link included, so that
// a developer can follow a reset link. It is for development only: the log
// then holds a live reset token until it is used or expires.
type LogMailer struct {
	Logger *slog.Logger
}

// Send implements Mailer.
func (l LogMailer) Send(ctx context.Context, m users.PendingMessage) error {
	l.Logger.InfoContext(ctx, "message delivered to the log (development mailer)",
		"kind", m.Kind, "to", m.Recipient, "link", m.Body["link"], "expires_at", m.Body["expiresAt"])
	return nil
}

// RunOutbox delivers the outbox's messages through mailer every interval until
// ctx ends. Several replicas may run it at once: each message is held by one.
func RunOutbox(ctx context.Context, outbox users.Outbox, mailer Mailer, interval time.Duration, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := outbox.DeliverPending(ctx, 100, mailer.Send)
		if err != nil && ctx.Err() == nil {
			logger.WarnContext(ctx, "outbox delivery failed; will retry", "delivered", n, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
