package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

// Demo data sizes. The generator below makes any number of products, always the
// same ones for the same size, so the full demo catalog is a bigger size, not a
// new generator.
const (
	// SeedProductCount is how many products Seed creates, with ids 1..SeedProductCount.
	SeedProductCount = 24
	// SeedUserCount is the users subgraph's demo user count: review authors are
	// users 1..SeedUserCount, which the users seed creates.
	SeedUserCount = 20
)

// seedLock is the advisory lock key that makes concurrent seeders wait for each other.
const seedLock = 0x5e3d_0001

// Seed creates the demo catalog once: it does nothing when products exist.
func Seed(ctx context.Context, pool *pgxpool.Pool) error {
	return seed(ctx, pool, SeedProductCount, SeedUserCount)
}

// seedEpoch is when the first demo product was listed.
func seedEpoch() time.Time { return time.Date(2024, 2, 1, 8, 0, 0, 0, time.UTC) }

// family is a kind of product: the demo generator names products after one of its
// models and gives them variants from its option axes.
type family struct {
	noun        string
	skuPrefix   string
	models      []string
	description string // %s is the model
	axes        []axis
	basePrice   int64 // cents
	weight      int   // grams
}

type axis struct {
	name   string
	values []string
}

var (
	sizes   = axis{"Size", []string{"XS", "S", "M", "L", "XL"}}
	colours = axis{"Colour", []string{"Navy", "Charcoal", "Oatmeal", "Forest", "Rust"}}
)

func families() []family {
	return []family{
		{"Crew Sweater", "SWT", []string{"Merino", "Cashmere", "Lambswool"},
			"A %s crew-neck sweater, knitted close enough to keep out the wind and soft enough to wear on bare skin.",
			[]axis{sizes, colours}, 8900, 420},
		{"Oxford Shirt", "SHT", []string{"Classic", "Slim", "Heavyweight"},
			"The %s Oxford shirt in brushed cotton, with a button-down collar and a back pleat that gives room to move.",
			[]axis{sizes}, 5900, 280},
		{"Trail Runner", "SHO", []string{"Ridge", "Canyon", "Summit"},
			"The %s trail runner: a grippy lugged sole, a rock plate under the forefoot and a breathable mesh upper.",
			[]axis{{"Size", []string{"40", "41", "42", "43", "44", "45"}}}, 12900, 640},
		{"Daypack", "BAG", []string{"Commuter", "Rolltop", "Explorer"},
			"The %s daypack carries a laptop, lunch and a jacket; water-resistant fabric and a padded back panel.",
			[]axis{colours}, 7900, 900},
		{"Coffee Mug", "MUG", []string{"Stoneware", "Enamel", "Speckled"},
			"A %s mug that holds 350 ml, fits under most espresso machines and survives the dishwasher.",
			[]axis{colours}, 1800, 380},
		{"Water Bottle", "BTL", []string{"Insulated", "Everyday", "Summit"},
			"The %s water bottle keeps drinks cold for 24 hours or hot for 12, with a leak-proof lid.",
			[]axis{{"Capacity", []string{"500 ml", "750 ml", "1 l"}}}, 2900, 350},
		{"Rain Jacket", "JKT", []string{"Packable", "Storm", "City"},
			"The %s rain jacket: taped seams, a hood that turns with your head, and it packs into its own pocket.",
			[]axis{sizes, colours}, 14900, 520},
		{"Wool Beanie", "HAT", []string{"Ribbed", "Fisherman", "Slouch"},
			"A %s beanie in soft wool, deep enough to cover the ears.",
			[]axis{colours}, 2500, 90},
		{"Chef's Knife", "KNF", []string{"Damascus", "Carbon Steel", "Santoku"},
			"A %s chef's knife, hand-sharpened to 15 degrees, with a walnut handle.",
			[]axis{{"Blade", []string{"18 cm", "21 cm", "24 cm"}}}, 11900, 260},
		{"Desk Lamp", "LMP", []string{"Architect", "Dome", "Minimal"},
			"The %s desk lamp: a dimmable warm LED on an arm that stays where you put it.",
			[]axis{{"Finish", []string{"Black", "Brass", "White"}}}, 8900, 1800},
		{"Yoga Mat", "MAT", []string{"Cork", "Natural Rubber", "Travel"},
			"A %s yoga mat with a grip that holds when you sweat.",
			[]axis{{"Thickness", []string{"3 mm", "5 mm", "6 mm"}}}, 6900, 2300},
		{"Notebook", "NTB", []string{"Dot Grid", "Lined", "Sketch"},
			"A %s notebook: 192 pages of fountain-pen-friendly paper, lay-flat binding.",
			[]axis{{"Format", []string{"A5", "A6", "B5"}}}, 1900, 310},
	}
}

// reviewTexts are demo review titles and bodies by rating, 1..5.
var reviewTexts = [5][]struct{ title, body string }{
	{{"Disappointed", "It did not last a month. I sent it back."},
		{"Not as pictured", "The colour is far from the photos and the finish feels cheap."}},
	{{"Could be better", "Works, but the quality is not what I expected for the price."},
		{"Runs small", "Had to return it for a bigger size, and the exchange took two weeks."}},
	{{"It's fine", "Does the job. Nothing special, nothing wrong."},
		{"Decent value", "Good for the price, though I have seen better finishing."}},
	{{"Really good", "Well made and comfortable. I would buy it again."},
		{"Great everyday pick", "I use it every day and it still looks new."},
		{"Happy with it", "Arrived quickly, well packed, exactly as described."}},
	{{"Love it", "The best one I have owned. Worth every cent."},
		{"Perfect", "Beautiful quality and it fits perfectly. Ordering another."},
		{"Exceeded expectations", "Better than the photos. The details are lovely."}},
}

type seedData struct {
	products, variants, reviews [][]any
}

// generate builds n products deterministically: product i (from 1) is the
// (i-1)/families-th model of family (i-1)%families, with a numbered edition once
// the models run out, so names and slugs stay unique at any size.
func generate(n, users int) (seedData, error) {
	fams := families()
	var d seedData
	var variantID, reviewID int64
	for i := range n {
		id := int64(i + 1)
		f := fams[i%len(fams)]
		round := i / len(fams)
		model := f.models[round%len(f.models)]
		name := model + " " + f.noun
		if edition := round / len(f.models); edition > 0 {
			name += fmt.Sprintf(" No. %d", edition+1)
		}
		created := seedEpoch().Add(time.Duration(i) * 7 * time.Hour)
		d.products = append(d.products, []any{id, slugify(name), name, fmt.Sprintf(f.description, model), created})

		rng := rand.New(rand.NewPCG(uint64(id), 0x5eed))
		combos := optionCombos(f.axes)
		count := 1 + rng.IntN(min(4, len(combos)))
		start := rng.IntN(len(combos))
		price := f.basePrice + int64(rng.IntN(5))*500 - 1000
		for v := range count {
			variantID++
			opts := combos[(start+v)%len(combos)]
			names := make([]string, len(opts))
			for k, o := range opts {
				names[k] = o.Value
			}
			optJSON, err := json.Marshal(opts)
			if err != nil {
				return seedData{}, fmt.Errorf("options of variant %d: %w", variantID, err)
			}
			sku := fmt.Sprintf("%s-%05d-%d", f.skuPrefix, id, v+1)
			weight := f.weight + v*f.weight/20
			d.variants = append(d.variants, []any{variantID, id, sku, strings.Join(names, " / "),
				string(optJSON), price + int64(v)*200, "USD", weight, v})
		}

		for r := range 1 + rng.IntN(5) { // every product has a few reviews
			reviewID++
			rating := 5 - min(rng.IntN(8), 4) // mostly happy shoppers, some not
			texts := reviewTexts[rating-1]
			text := texts[rng.IntN(len(texts))]
			author := int64(1 + rng.IntN(users))
			at := created.Add(time.Duration(r+1)*36*time.Hour + time.Duration(rng.IntN(3600))*time.Second)
			d.reviews = append(d.reviews, []any{reviewID, id, author, rating, text.title, text.body, at})
		}
	}
	return d, nil
}

// optionCombos lists every combination of the axes' values, first axis slowest.
func optionCombos(axes []axis) [][]catalog.Option {
	combos := [][]catalog.Option{nil}
	for _, a := range axes {
		var next [][]catalog.Option
		for _, c := range combos {
			for _, v := range a.values {
				next = append(next, append(append([]catalog.Option(nil), c...), catalog.Option{Name: a.name, Value: v}))
			}
		}
		combos = next
	}
	return combos
}

// slugify lower-cases name and joins its words with hyphens: "Chef's Knife No. 2"
// becomes "chefs-knife-no-2".
func slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		case r == '\'':
		default:
			dash = true
		}
	}
	return b.String()
}

func seed(ctx context.Context, pool *pgxpool.Pool, products, users int) error {
	data, err := generate(products, users)
	if err != nil {
		return fmt.Errorf("seed catalog: %w", err)
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("seed catalog: begin: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", seedLock); err != nil {
		return fmt.Errorf("seed catalog: lock: %w", err)
	}
	var seeded bool
	if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM products)").Scan(&seeded); err != nil {
		return fmt.Errorf("seed catalog: check: %w", err)
	}
	if seeded {
		return nil
	}
	tables := []struct {
		name    string
		columns []string
		rows    [][]any
	}{
		{"products", []string{"id", "slug", "name", "description", "created_at"}, data.products},
		{"product_variants", []string{"id", "product_id", "sku", "name", "options", "price_minor", "currency", "weight_grams", "position"}, data.variants},
		{"reviews", []string{"id", "product_id", "author_id", "rating", "title", "body", "created_at"}, data.reviews},
	}
	for _, t := range tables {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.columns, pgx.CopyFromRows(t.rows)); err != nil {
			return fmt.Errorf("seed catalog: copy %s: %w", t.name, err)
		}
		// The ids were given explicitly, so move the identity past them.
		if _, err := tx.Exec(ctx, fmt.Sprintf(
			"SELECT setval(pg_get_serial_sequence('%[1]s', 'id'), greatest((SELECT max(id) FROM %[1]s), 1))", t.name)); err != nil {
			return fmt.Errorf("seed catalog: advance %s ids: %w", t.name, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("seed catalog: commit: %w", err)
	}
	return nil
}
