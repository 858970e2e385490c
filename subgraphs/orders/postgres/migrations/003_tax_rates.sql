-- Sales tax (VAT, GST) on goods and shipping by destination country, in basis
-- points (2000 = 20%). A simple standard-rate table: no reduced rates, no US
-- state sales tax. Countries not listed pay none.
CREATE TABLE tax_rates (
    country_code text    PRIMARY KEY CHECK (country_code ~ '^[A-Z]{2}$'),
    basis_points integer NOT NULL CHECK (basis_points BETWEEN 0 AND 10000)
);
INSERT INTO tax_rates (country_code, basis_points) VALUES
    ('GB', 2000), ('IE', 2300), ('DE', 1900), ('FR', 2000), ('NL', 2100), ('ES', 2100),
    ('IT', 2200), ('SE', 2500), ('AU', 1000), ('JP', 1000), ('CA', 500), ('MX', 1600);
