-- The catalog's statements are short reads, but listings plan branches they
-- seldom run (an exact count beside a sampled one, postgres/browse.go), and at a
-- million products those branches' cost estimates pass jit_above_cost: PostgreSQL
-- then compiled each listing for about 250 ms to run it in 3. Sessions of this
-- database start without JIT.
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
END $$;
