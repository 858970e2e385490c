-- Stock per variant: what is on hand and what checkouts have reserved but not yet
-- committed. Shoppers see on hand minus reserved; a reservation never takes it
-- below zero (the CHECK holds under any concurrency, whatever the code does).
ALTER TABLE product_variants
    ADD COLUMN stock_on_hand  integer NOT NULL DEFAULT 0 CHECK (stock_on_hand >= 0),
    ADD COLUMN stock_reserved integer NOT NULL DEFAULT 0 CHECK (stock_reserved >= 0);
ALTER TABLE product_variants
    ADD CONSTRAINT product_variants_stock_check CHECK (stock_reserved <= stock_on_hand);
