package headers

import (
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"strings"

	"github.com/shopgraph/shopgraph/internal/clientip"
)

// ForwardedFor is the header that carries the client's address chain to
// subgraphs (see the package comment).
const ForwardedFor = "X-Forwarded-For"

// validateForwarding checks forwardClientAddress and trustedProxies.
func (c Config) validateForwarding(prefix string) []error {
	var errs []error
	for i, entry := range c.TrustedProxies {
		p := fmt.Sprintf("%s.trustedProxies[%d]", prefix, i)
		switch {
		case strings.TrimSpace(entry) == "":
			errs = append(errs, fmt.Errorf("%s: empty entry", p))
		case strings.Contains(entry, ","):
			errs = append(errs, fmt.Errorf("%s: %q holds a comma: give one prefix or address per entry", p, entry))
		default:
			if _, err := clientip.ParsePrefixes(entry); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", p, err))
			}
		}
	}
	if !c.forwards() && len(c.TrustedProxies) > 0 {
		errs = append(errs, fmt.Errorf("%s.trustedProxies: has no effect with forwardClientAddress false", prefix))
	}
	return errs
}

// trustedPrefixes parses the validated TrustedProxies.
func (c Config) trustedPrefixes() []netip.Prefix {
	var out []netip.Prefix
	for _, entry := range c.TrustedProxies {
		ps, _ := clientip.ParsePrefixes(entry)
		out = append(out, ps...)
	}
	return out
}

// forwardedFor returns the X-Forwarded-For value to send for client request
// r: the peer, after the chain a trusted peer sent. ok is false when the peer
// is not an IP address.
func (p *Propagator) forwardedFor(r *http.Request) (value string, ok bool) {
	peer, ok := peerAddr(r.RemoteAddr)
	if !ok {
		return "", false
	}
	if !slices.ContainsFunc(p.trusted, func(t netip.Prefix) bool { return t.Contains(peer) }) {
		return peer.String(), true
	}
	var b strings.Builder
	for _, line := range r.Header.Values(ForwardedFor) {
		line = strings.TrimSpace(line)
		if line == "" || !validValue(line) {
			continue
		}
		b.WriteString(line)
		b.WriteString(", ")
	}
	b.WriteString(peer.String())
	return b.String(), true
}

// peerAddr reads http.Request.RemoteAddr, normally "ip:port", as one spelling
// of the address: no port, brackets or zone, IPv4-mapped IPv6 as IPv4.
func peerAddr(remote string) (netip.Addr, bool) {
	var a netip.Addr
	if ap, err := netip.ParseAddrPort(remote); err == nil {
		a = ap.Addr()
	} else if a, err = netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(remote, "["), "]")); err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

// keyed reports whether h holds a header that the de-duplication keys encode.
func keyed(h http.Header) bool {
	for k := range h {
		if k != ForwardedFor {
			return true
		}
	}
	return false
}
