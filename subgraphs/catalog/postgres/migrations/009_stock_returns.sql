-- A committed reservation can be returned: an order cancelled or refunded before
-- it shipped puts its units back on hand. 'returned' is final, like the others.
ALTER TABLE stock_reservations DROP CONSTRAINT stock_reservations_status_check;
ALTER TABLE stock_reservations ADD CONSTRAINT stock_reservations_status_check
    CHECK (status IN ('reserved', 'committed', 'released', 'expired', 'returned'));
