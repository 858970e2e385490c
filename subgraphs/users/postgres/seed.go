package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopgraph/shopgraph/subgraphs/users/password"
)

// SeedUserCount is how many demo users Seed creates, with ids 1..SeedUserCount.
// Other subgraphs' demo data (review authors, order owners) uses ids in this range.
const SeedUserCount = 500

// The demo accounts the README gives credentials for. The other demo users
// have no password (hashing 500 would make seeding slow); they can set one
// through a password reset.
const (
	DemoCustomerID       = 1
	DemoCustomerEmail    = "demo@shopgraph.dev"
	DemoCustomerPassword = "Lantern-Harbor-42"
	DemoAdminID          = 2
	DemoAdminEmail       = "admin@shopgraph.dev"
	DemoAdminPassword    = "Granite-Orchard-97"
)

// seedLock is the advisory lock key that makes concurrent seeders wait for each other.
const seedLock = 0x5e3d_0003

// seedEpoch is when the first demo account was created; later ones follow a day apart.
var seedEpoch = time.Date(2024, 1, 8, 9, 30, 0, 0, time.UTC)

// demoFirstNames and demoLastNames pair up by index for the first users and keep
// giving new combinations as the demo data grows.
var (
	demoFirstNames = []string{
		"Emma", "Liam", "Sofia", "Noah", "Amara", "Mateo", "Hannah", "Kenji", "Chloe", "Arjun",
		"Freya", "Diego", "Leila", "Oscar", "Ingrid", "Tomás", "Yuki", "Samuel", "Nadia", "Felix",
	}
	demoLastNames = []string{
		"Thompson", "Okafor", "Rossi", "Müller", "Nakamura", "García", "Kowalski", "Dubois", "Patel", "Andersson",
		"O'Brien", "Hernández", "Haddad", "Lindqvist", "Novak", "Silva", "Tanaka", "Fischer", "Kaur", "Moreau",
	}
)

// Seed creates the demo users once: it does nothing when the users table already
// has rows. The data is the same on every run, user 1 being the demo customer and
// user 2 the admin.
func Seed(ctx context.Context, pool *pgxpool.Pool) error {
	return seed(ctx, pool, SeedUserCount)
}

func seed(ctx context.Context, pool *pgxpool.Pool, n int) error {
	hasher, err := password.NewHasher(password.DefaultParams(), 0)
	if err != nil {
		return fmt.Errorf("seed users: %w", err)
	}
	passwords := map[int64]string{DemoCustomerID: DemoCustomerPassword, DemoAdminID: DemoAdminPassword}
	hashes := map[int64]string{}
	for id, pw := range passwords {
		if hashes[id], err = hasher.Hash(ctx, pw); err != nil {
			return fmt.Errorf("seed users: hash demo password: %w", err)
		}
	}

	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("seed users: begin: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()

	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", seedLock); err != nil {
		return fmt.Errorf("seed users: lock: %w", err)
	}
	var seeded bool
	if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM users)").Scan(&seeded); err != nil {
		return fmt.Errorf("seed users: check: %w", err)
	}
	if seeded {
		return nil
	}
	rows := make([][]any, n)
	for i := range n {
		first := demoFirstNames[i%len(demoFirstNames)]
		last := demoLastNames[(i+i/len(demoLastNames))%len(demoLastNames)]
		role := "CUSTOMER"
		if i == 1 {
			role = "ADMIN"
		}
		id := int64(i + 1)
		email := demoEmail(first, last, i)
		switch id {
		case DemoCustomerID:
			email = DemoCustomerEmail
		case DemoAdminID:
			email = DemoAdminEmail
		}
		var hash *string
		if h, ok := hashes[id]; ok {
			hash = &h
		}
		created := seedEpoch.AddDate(0, 0, i)
		rows[i] = []any{id, email, first + " " + last, role, created, hash}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"users"},
		[]string{"id", "email", "name", "role", "created_at", "password_hash"}, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("seed users: copy: %w", err)
	}
	// The ids were given explicitly, so move the identity past them.
	if _, err := tx.Exec(ctx,
		"SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users))"); err != nil {
		return fmt.Errorf("seed users: advance id sequence: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("seed users: commit: %w", err)
	}
	return nil
}

// demoEmail makes an ASCII address; the index keeps it unique once names repeat.
func demoEmail(first, last string, i int) string {
	ascii := strings.NewReplacer("ü", "u", "á", "a", "é", "e", "ó", "o", "'", "")
	local := strings.ToLower(ascii.Replace(first + "." + last))
	if i >= len(demoFirstNames) {
		local = fmt.Sprintf("%s%d", local, i+1)
	}
	return local + "@example.com"
}
