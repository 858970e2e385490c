package postgres

import (
	"testing"

	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
	"github.com/shopgraph/shopgraph/subgraphs/users"
)

func TestSeedIsDeterministicAndIdempotent(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := pgtest.New(t, Migrations())
	for range 2 {
		if err := Seed(ctx, pool); err != nil {
			t.Fatal(err)
		}
	}
	var n, admins int
	var maxID int64
	if err := pool.QueryRow(ctx,
		"SELECT count(*), count(*) FILTER (WHERE role = 'ADMIN'), max(id) FROM users").Scan(&n, &admins, &maxID); err != nil {
		t.Fatal(err)
	}
	if n != SeedUserCount || maxID != SeedUserCount || admins != 1 {
		t.Fatalf("seeded %d users (max id %d, %d admins); want %d with ids 1..%d and one admin",
			n, maxID, admins, SeedUserCount, SeedUserCount)
	}
	// New accounts must not collide with the seeded ids.
	var next int64
	if err := pool.QueryRow(ctx,
		"INSERT INTO users (email, name) VALUES ('new@example.com', 'New Person') RETURNING id").Scan(&next); err != nil {
		t.Fatal(err)
	}
	if next != SeedUserCount+1 {
		t.Errorf("next id = %d, want %d", next, SeedUserCount+1)
	}
	u, err := New(pool).UsersByIDs(ctx, []int64{1})
	if err != nil {
		t.Fatal(err)
	}
	if got := u[1]; got == nil || got.Name != "Emma Thompson" || got.Email != DemoCustomerEmail || got.Role != users.RoleCustomer {
		t.Errorf("user 1 = %+v", got)
	}
}

func TestSeedGrowsWithUniqueEmails(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t, Migrations())
	if err := seed(t.Context(), pool, 500); err != nil {
		t.Fatalf("seed 500 users: %v", err)
	}
}

func TestUsersByIDsIsOneStatement(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := pgtest.New(t, Migrations())
	if err := Seed(ctx, pool); err != nil {
		t.Fatal(err)
	}
	counted, counter := pgtest.CountingPool(t, pool)
	got, err := New(counted).UsersByIDs(ctx, []int64{3, 1, 999, 20, 3})
	if err != nil {
		t.Fatal(err)
	}
	if n := counter.N(); n != 1 {
		t.Errorf("UsersByIDs sent %d statements, want 1", n)
	}
	if len(got) != 3 || got[3] == nil || got[20] == nil || got[1] == nil || got[999] != nil {
		t.Errorf("UsersByIDs = %v", got)
	}
	empty, err := New(counted).UsersByIDs(ctx, nil)
	if err != nil || len(empty) != 0 || counter.N() != 1 {
		t.Errorf("no ids: %v, %v, %d statements", empty, err, counter.N())
	}
}
