// Package clientip finds the address of the shopper behind a request that
// came through proxies (the router, perhaps a load balancer), so that per
// address rate limits hit the shopper and not the router.
//
// Each proxy appends the address of its own peer to X-Forwarded-For. Only the
// entries appended by proxies we trust are facts; everything to their left
// was sent by someone else, and a client can put anything there. So the
// Resolver starts from the TCP peer (RemoteAddr) and walks the header from the
// right: while the address in hand belongs to a trusted proxy, the entry
// appended by that proxy is believed and becomes the address in hand. The
// first untrusted address is the client. Consequences:
//
//   - a request from an untrusted peer is answered with the peer, whatever its
//     header says;
//   - a client that sends its own "X-Forwarded-For: 6.6.6.6" gets it kept to
//     the left of the entry our proxy added, which is the one returned;
//   - if every address is trusted (an internal caller), the leftmost is the
//     client;
//   - an entry that is not an address (garbage, "unknown", a bad port) ends
//     the walk: the last good address, a trusted proxy's, is returned rather
//     than guessing past it. Empty entries (",,") are skipped.
//
// Several header lines are one list in order, as RFC 9110 says. Entries may
// carry a port ("1.2.3.4:567", "[2001:db8::1]:80") or brackets; zones are
// dropped and IPv4-mapped IPv6 addresses are unmapped, so "::ffff:10.0.0.1"
// matches 10.0.0.0/8 and one client has one spelling. The leftmost-entry
// shortcut is deliberately not offered: it is the spoofable one. Only
// X-Forwarded-For is read, not Forwarded (RFC 7239) or X-Real-IP, because
// that is the header our proxies append to.
//
// Trust whole private ranges (DefaultTrusted) only where nothing but our own
// proxies can reach the service: any host inside a trusted range can choose
// the address it is seen as. In production prefer the exact proxy ranges.
package clientip

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// Resolver finds a request's client address. The zero Resolver trusts no
// proxy and always answers with the peer. It is safe for concurrent use.
type Resolver struct {
	trusted []netip.Prefix
}

// New returns a Resolver that believes X-Forwarded-For entries appended by
// peers within trusted.
func New(trusted []netip.Prefix) *Resolver {
	r := &Resolver{trusted: make([]netip.Prefix, 0, len(trusted))}
	for _, p := range trusted {
		if p.IsValid() {
			r.trusted = append(r.trusted, normalizePrefix(p))
		}
	}
	return r
}

// DefaultTrusted returns the loopback and private ranges: 127.0.0.0/8,
// ::1/128, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 and fc00::/7.
func DefaultTrusted() []netip.Prefix {
	return []netip.Prefix{
		netip.MustParsePrefix("127.0.0.0/8"),
		netip.MustParsePrefix("::1/128"),
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("172.16.0.0/12"),
		netip.MustParsePrefix("192.168.0.0/16"),
		netip.MustParsePrefix("fc00::/7"),
	}
}

// ParsePrefixes parses a comma-separated list of CIDR prefixes and bare
// addresses ("127.0.0.0/8, ::1/128, 10.0.0.1"); a bare address is a /32 or
// /128. Blank entries are ignored; the error names the first bad entry.
func ParsePrefixes(csv string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for entry := range strings.SplitSeq(csv, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		if strings.Contains(entry, "/") {
			p, err := netip.ParsePrefix(entry)
			if err != nil {
				return nil, fmt.Errorf("clientip: trusted proxy %q is not a CIDR prefix: %w", entry, err)
			}
			out = append(out, normalizePrefix(p))
			continue
		}
		a, err := netip.ParseAddr(entry)
		if err != nil {
			return nil, fmt.Errorf("clientip: trusted proxy %q is not an IP address: %w", entry, err)
		}
		a = normalize(a)
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// ClientAddr returns the address of the client of req, as the package comment
// describes, or the zero Addr when RemoteAddr is not an IP address (a Unix
// socket, a hand-made request).
func (r *Resolver) ClientAddr(req *http.Request) netip.Addr {
	addr, ok := parsePeer(req.RemoteAddr)
	if !ok {
		return netip.Addr{}
	}
	lines := req.Header.Values("X-Forwarded-For")
	for i := len(lines) - 1; i >= 0; i-- {
		line := lines[i]
		for line != "" {
			if !r.trusts(addr) {
				return addr
			}
			var entry string
			if j := strings.LastIndexByte(line, ','); j >= 0 {
				line, entry = line[:j], line[j+1:]
			} else {
				line, entry = "", line
			}
			entry = strings.TrimSpace(entry)
			if entry == "" {
				continue
			}
			a, ok := parseEntry(entry)
			if !ok {
				return addr
			}
			addr = a
		}
	}
	return addr
}

// Middleware stores the client address of each request in its context, for
// FromContext. A request whose address is unknown gets none.
func (r *Resolver) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if a := r.ClientAddr(req); a.IsValid() {
			req = req.WithContext(NewContext(req.Context(), a))
		}
		next.ServeHTTP(w, req)
	})
}

type ctxKey struct{}

// NewContext returns ctx carrying the client address a.
func NewContext(ctx context.Context, a netip.Addr) context.Context {
	return context.WithValue(ctx, ctxKey{}, a)
}

// FromContext returns the client address in ctx; ok is false if there is
// none or it is not valid.
func FromContext(ctx context.Context) (a netip.Addr, ok bool) {
	a, ok = ctx.Value(ctxKey{}).(netip.Addr)
	return a, ok && a.IsValid()
}

func (r *Resolver) trusts(a netip.Addr) bool {
	for _, p := range r.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parsePeer reads RemoteAddr, normally "ip:port".
func parsePeer(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return normalize(ap.Addr()), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return normalize(a), true
	}
	return netip.Addr{}, false
}

// parseEntry reads one X-Forwarded-For entry: an address, with or without a
// port, IPv6 with or without brackets.
func parseEntry(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return normalize(a), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return normalize(ap.Addr()), true
	}
	if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil && a.Is6() {
			return normalize(a), true
		}
	}
	return netip.Addr{}, false
}

// normalize gives each address one spelling: IPv4-mapped IPv6 unmapped, no
// zone.
func normalize(a netip.Addr) netip.Addr {
	return a.Unmap().WithZone("")
}

// normalizePrefix masks p and turns an IPv4-mapped IPv6 prefix into IPv4, as
// normalize does to the addresses it is matched against.
func normalizePrefix(p netip.Prefix) netip.Prefix {
	a, bits := p.Addr().WithZone(""), p.Bits()
	if a.Is4In6() && bits >= 96 {
		a, bits = a.Unmap(), bits-96
	}
	return netip.PrefixFrom(a, bits).Masked()
}
