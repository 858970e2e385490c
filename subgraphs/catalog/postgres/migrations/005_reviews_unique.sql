-- One review per user and product: addReview answers ALREADY_REVIEWED, and the
-- index holds the rule under concurrent writers too.
CREATE UNIQUE INDEX reviews_product_author_key ON reviews (product_id, author_id);
