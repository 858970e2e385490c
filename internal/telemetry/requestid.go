package telemetry

import (
	"context"
	"encoding/hex"
	"log/slog"
	"math/rand/v2"

	"go.opentelemetry.io/otel/trace"
)

// RequestIDHeader carries a request's id, from the client when it sends a
// valid one, and back in the response.
const RequestIDHeader = "X-Request-Id"

// maxRequestIDLen bounds an id taken from a client.
const maxRequestIDLen = 128

// ValidRequestID reports whether a client's request id may be kept: 1 to 128
// letters, digits and ._:- (so that it is safe in logs and headers).
func ValidRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}

// NewRequestID returns a random 32-hex-digit id. Ids need to be unique, not
// secret, so the runtime's fast per-thread generator is enough.
func NewRequestID() string {
	var b [16]byte
	a, c := rand.Uint64(), rand.Uint64()
	for i := range 8 {
		b[i] = byte(a >> (8 * i))
		b[8+i] = byte(c >> (8 * i))
	}
	return hex.EncodeToString(b[:])
}

// requestContext carries the request id. It is a context of its own, not a
// context.WithValue, so that the id, its header value and the context cost one
// allocation together.
type requestContext struct {
	context.Context
	// header is the id as a header value; header[0] is the id.
	header [1]string
}

type requestIDKey struct{}

// Value returns the requestContext itself for requestIDKey (a pointer: no
// allocation), else its parent's value.
func (c *requestContext) Value(key any) any {
	if _, ok := key.(requestIDKey); ok {
		return c
	}
	return c.Context.Value(key)
}

// WithRequestID returns ctx carrying request id id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return &requestContext{Context: ctx, header: [1]string{id}}
}

// RequestID returns the request id of ctx, or "".
func RequestID(ctx context.Context) string {
	if c, ok := ctx.Value(requestIDKey{}).(*requestContext); ok {
		return c.header[0]
	}
	return ""
}

// NewLogHandler wraps h so that records logged with a request's context carry
// its request_id, and its trace_id and span_id when the request is traced.
func NewLogHandler(h slog.Handler) slog.Handler { return logHandler{h} }

// Logger returns l with NewLogHandler's request attributes.
func Logger(l *slog.Logger) *slog.Logger {
	if _, ok := l.Handler().(logHandler); ok {
		return l
	}
	return slog.New(NewLogHandler(l.Handler()))
}

type logHandler struct{ slog.Handler }

func (h logHandler) Handle(ctx context.Context, r slog.Record) error {
	if ctx != nil {
		if id := RequestID(ctx); id != "" {
			r.AddAttrs(slog.String("request_id", id))
		}
		if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
			r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
		}
	}
	return h.Handler.Handle(ctx, r)
}

func (h logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return logHandler{h.Handler.WithAttrs(attrs)}
}

func (h logHandler) WithGroup(name string) slog.Handler {
	return logHandler{h.Handler.WithGroup(name)}
}
