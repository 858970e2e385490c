-- Relevance at a million products. Ranking every match of a broad search
-- ("kettleb", 45,000 products) reads each match's row: 250 ms. A search that
-- broad orders its results by tiers instead (the name matches, then the
-- description does; newest first within a tier; postgres/browse.go), and a
-- tier is found by walking the newest-first index while checking each row, or
-- through this index when its matches are few.
ALTER TABLE products
    ADD COLUMN name_search tsvector GENERATED ALWAYS AS (to_tsvector('english', name)) STORED;
CREATE INDEX products_name_search_idx ON products USING gin (name_search);
ANALYZE products;
