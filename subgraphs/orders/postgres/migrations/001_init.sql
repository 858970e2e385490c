-- Standard shipping rates by destination country. The one row with a NULL
-- country is the rest-of-world rate, used for countries without their own.
CREATE TABLE shipping_rates (
    country_code  text   UNIQUE CHECK (country_code ~ '^[A-Z]{2}$'),
    country_name  text   NOT NULL,
    -- Integer minor units of currency (cents); never floating point.
    base_minor    bigint NOT NULL CHECK (base_minor >= 0),
    per_kg_minor  bigint NOT NULL CHECK (per_kg_minor >= 0),
    currency      text   NOT NULL CHECK (currency ~ '^[A-Z]{3}$')
);

-- At most one rest-of-world row.
CREATE UNIQUE INDEX shipping_rates_rest_of_world_key ON shipping_rates ((country_code IS NULL))
    WHERE country_code IS NULL;
