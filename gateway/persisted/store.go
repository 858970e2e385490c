// Package persisted resolves persisted operations before the router parses a
// document: automatic persisted queries (APQ, Apollo's protocol) and trusted
// documents (a manifest of allowed operations, optionally the only ones run).
//
// A request reaches Resolve with whatever it carried: query text, the
// extensions object, and a document id. Resolve answers the text to run or a
// refusal shaped as one GraphQL error with an HTTP status. The rules, in
// order:
//
//   - A document id (documentId / id) names a trusted document: by the
//     manifest's own id, or by "sha256:<hex>" or bare hex of its body.
//   - extensions.persistedQuery {version: 1, sha256Hash} first looks in the
//     manifest (so a client built against the manifest can send hashes
//     only), then in the APQ cache. With query text it registers the text,
//     after checking that it hashes to sha256Hash.
//   - Query text alone runs as it is, unless trusted-only mode is on and the
//     text is not a trusted document.
//
// Trusted-only mode (Config.Only) turns APQ off: registration would let any
// client add operations to the list. Text that equals a trusted document,
// exactly or after normalization (comments, whitespace and the order of
// top-level definitions ignored), is allowed, as Apollo Router's safelist
// does, so that clients that send full text keep working.
//
// APQ entries live in an LRU bounded by entries and bytes; with a Redis URL
// they are also written to Redis with a TTL so that every replica sees a
// registration, and read from it on a memory miss. Redis is an accelerator,
// never a dependency: when it fails the store logs once, stays in memory,
// and tries Redis again a few seconds later.
package persisted

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
)

// Request is what Resolve needs from a GraphQL request.
type Request struct {
	// Query is the "query" member; empty when absent.
	Query string
	// Extensions is the raw "extensions" member; empty or null when absent.
	Extensions json.RawMessage
	// DocumentID is the "documentId" member of the request (GraphQL over
	// HTTP's persisted documents), or the "id" / "doc_id" some clients send.
	DocumentID string
}

// Store resolves persisted operations. It is safe for concurrent use.
type Store struct {
	cfg    Config
	logger *slog.Logger
	// mem is nil when APQ is disabled or in trusted-only mode.
	mem *memCache
	// shared is nil without a Redis URL.
	shared   *sharedCache
	manifest atomic.Pointer[manifest]

	closeOnce sync.Once
	closeErr  error

	apqHits, apqMisses, apqRegistered atomic.Int64
	documentHits, refused, unknown    atomic.Int64
}

// New builds a Store: it validates cfg, loads the manifest and connects to
// Redis. An unreachable Redis is not an error (see the package comment); a
// bad configuration or manifest is. logger may be nil.
func New(ctx context.Context, cfg Config, logger *slog.Logger) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.withDefaults()
	s := &Store{cfg: cfg, logger: logger}
	if cfg.Manifest != "" {
		m, err := loadManifest(cfg.Manifest)
		if err != nil {
			return nil, err
		}
		s.manifest.Store(m)
		logger.Info("persisted: trusted documents loaded", "manifest", cfg.Manifest, "documents", len(m.byID), "only", cfg.Only)
	}
	if cfg.APQ.Disabled || cfg.Only {
		if cfg.Only && !cfg.APQ.Disabled {
			logger.Info("persisted: APQ registration is off in trusted-only mode; hashes resolve from the manifest only")
		}
		return s, nil
	}
	s.mem = newMemCache(cfg.APQ.CacheSize, cfg.APQ.MaxBytes)
	if cfg.APQ.RedisURL != "" {
		shared, err := newSharedCache(ctx, cfg.APQ, logger)
		if err != nil {
			return nil, err
		}
		s.shared = shared
	}
	return s, nil
}

// Close releases the Redis connections. It is safe to call more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		if s.shared != nil {
			s.closeErr = s.shared.close()
		}
	})
	return s.closeErr
}

// ReloadManifest reads the manifest file again and swaps it in. On error the
// documents loaded before stay in force.
func (s *Store) ReloadManifest() error {
	if s.cfg.Manifest == "" {
		return errors.New("persisted: reload: no manifest is configured (persisted.manifest)")
	}
	m, err := loadManifest(s.cfg.Manifest)
	if err != nil {
		return fmt.Errorf("reload, keeping the documents loaded before: %w", err)
	}
	s.manifest.Store(m)
	s.logger.Info("persisted: trusted documents reloaded", "manifest", s.cfg.Manifest, "documents", len(m.byID))
	return nil
}

// Resolve returns the query text to run. Query text that involves no
// persisted operation comes back unchanged, "" included (the handler words
// a missing query). A refusal is an *Error; the only other error is ctx's
// own, when it ends during a Redis lookup.
func (s *Store) Resolve(ctx context.Context, req Request) (string, error) {
	pq, err := persistedQueryMember(req.Extensions)
	if err != nil {
		return "", err
	}
	m := s.manifest.Load()
	switch {
	case req.DocumentID != "":
		if pq != nil {
			return "", errBadRequest("send a document id or extensions.persistedQuery, not both")
		}
		return s.resolveID(req, m)
	case pq != nil:
		return s.resolveHash(ctx, req.Query, pq, m)
	default:
		return s.resolveText(req.Query, "", m)
	}
}

// resolveID finds a trusted document by id.
func (s *Store) resolveID(req Request, m *manifest) (string, error) {
	if m == nil {
		return "", &Error{Message: "a document id was sent, but this router has no trusted documents: send the query text", Code: CodeNotSupported, Status: http.StatusBadRequest}
	}
	if req.Query != "" {
		return "", &Error{Message: "send either a document id or query text, not both", Code: CodeIDAndBody, Status: http.StatusBadRequest}
	}
	body, ok := m.lookupID(req.DocumentID)
	if !ok {
		s.refused.Add(1)
		return "", errNotInList(req.DocumentID)
	}
	s.documentHits.Add(1)
	return body, nil
}

// resolveHash serves extensions.persistedQuery: trusted documents first,
// then APQ.
func (s *Store) resolveHash(ctx context.Context, query string, raw json.RawMessage, m *manifest) (string, error) {
	if s.mem == nil && m == nil {
		return "", errNotSupported()
	}
	hash, perr := decodePersistedQuery(raw)
	if perr != nil {
		return "", perr
	}
	if query != "" && hashOf(query) != hash {
		return "", &Error{Message: "provided sha does not match query", Code: CodeHashMismatch, Status: http.StatusBadRequest}
	}
	if m != nil {
		if body, ok := m.byHash[hash]; ok {
			s.documentHits.Add(1)
			return body, nil
		}
	}
	switch {
	case s.cfg.Only && query != "":
		// Not registered: the text runs only if it is a trusted document
		// written differently.
		return s.resolveText(query, hash, m)
	case s.cfg.Only:
		s.refused.Add(1)
		return "", errNotInList(hash)
	case s.mem == nil:
		return "", errNotSupported()
	case query != "":
		s.register(ctx, hash, query)
		return s.resolveText(query, hash, m)
	}
	found, ok, err := s.lookup(ctx, hash)
	if err != nil {
		return "", err
	}
	if !ok {
		s.apqMisses.Add(1)
		return "", errNotFound()
	}
	s.apqHits.Add(1)
	return s.resolveText(found, hash, m)
}

// resolveText applies the trusted-documents list to query text: refused in
// trusted-only mode unless trusted, logged in audit mode unless trusted.
func (s *Store) resolveText(query, hash string, m *manifest) (string, error) {
	if query == "" || m == nil || (!s.cfg.Only && !s.cfg.LogUnknown) {
		return query, nil
	}
	if m.contains(query, hash) {
		s.documentHits.Add(1)
		return query, nil
	}
	if s.cfg.LogUnknown {
		s.unknown.Add(1)
		if hash == "" {
			hash = hashOf(query)
		}
		s.logger.Warn("persisted: operation is not in the trusted documents list",
			"sha256", hash, "refused", s.cfg.Only, "query", truncate(query, 4096))
	}
	if s.cfg.Only {
		s.refused.Add(1)
		return "", &Error{Message: "operation is not in the trusted documents list: this router runs trusted documents only", Code: CodeNotInSafelist, Status: http.StatusForbidden, NoCache: true}
	}
	return query, nil
}

// register keeps an APQ registration in memory and, when configured, Redis.
func (s *Store) register(ctx context.Context, hash, query string) {
	s.apqRegistered.Add(1)
	s.mem.add(hash, query)
	if s.shared != nil {
		s.shared.set(ctx, hash, query)
	}
}

// lookup finds an APQ registration in memory, then in Redis.
func (s *Store) lookup(ctx context.Context, hash string) (string, bool, error) {
	if q, ok := s.mem.get(hash); ok {
		return q, true, nil
	}
	if s.shared == nil {
		return "", false, nil
	}
	q, ok, err := s.shared.get(ctx, hash)
	if ok {
		s.mem.add(hash, q)
	}
	return q, ok, err
}

// Stats counts what the store did, for metrics.
type Stats struct {
	// APQHits and APQMisses count hash-only lookups in the APQ cache.
	APQHits, APQMisses int64
	// APQRegistered counts registrations (hash + query).
	APQRegistered int64
	// DocumentHits counts requests served as or matched to a trusted document.
	DocumentHits int64
	// Refused counts requests refused for not being trusted documents.
	Refused int64
	// Unknown counts operations logged as not in the trusted documents list.
	Unknown int64
	// CacheEntries and CacheBytes are the APQ memory cache's size.
	CacheEntries int
	CacheBytes   int64
	// RedisFailures counts failed Redis commands.
	RedisFailures int64
	// Documents is the number of trusted documents loaded.
	Documents int
}

// Stats returns the counters so far.
func (s *Store) Stats() Stats {
	st := Stats{
		APQHits:       s.apqHits.Load(),
		APQMisses:     s.apqMisses.Load(),
		APQRegistered: s.apqRegistered.Load(),
		DocumentHits:  s.documentHits.Load(),
		Refused:       s.refused.Load(),
		Unknown:       s.unknown.Load(),
	}
	if s.mem != nil {
		st.CacheEntries, st.CacheBytes = s.mem.size()
	}
	if s.shared != nil {
		st.RedisFailures = s.shared.failureCount()
	}
	if m := s.manifest.Load(); m != nil {
		st.Documents = len(m.byID)
	}
	return st
}

func errNotInList(id string) *Error {
	return &Error{
		Message: fmt.Sprintf("persisted query %q is not in the trusted documents list", truncate(id, 100)),
		Code:    CodeNotInList, Status: http.StatusNotFound, NoCache: true,
	}
}

// hashOf returns the lower-case hex SHA-256 of text, as APQ names it.
func hashOf(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// isHash reports whether s is 64 lower-case hex digits.
func isHash(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
