package orders

import (
	"context"
	"time"
)

// MaxLineQuantity bounds one cart line; MaxCartLines bounds a cart.
const (
	MaxLineQuantity = 99
	MaxCartLines    = 100
)

// Cart is a shopper's cart: a guest's (UserID 0), addressed by its
// unguessable ID, or a signed-in user's.
type Cart struct {
	ID        string
	UserID    int64
	Lines     []CartLine
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CartLine is a quantity of one catalog variant.
type CartLine struct {
	ID        int64
	VariantID int64
	Quantity  int
	// SeenPrice is the catalog's price, in minor units of Currency, when the
	// shopper last added or changed the line: the cart warns when the price now
	// differs. What the line costs is always the catalog's current price.
	SeenPrice int64
	Currency  string
}

// LineChange sets a variant's line in a cart.
type LineChange struct {
	VariantID int64
	// Quantity is added (CartStore.AddLines) or set (SetLines; 0 removes).
	Quantity int
	// SeenPrice and Currency are the catalog's price the shopper saw now.
	SeenPrice int64
	Currency  string
}

// CartStore keeps carts. Every method is one transaction; a cart id that is not
// a cart (or not a UUID) is ENOTFOUND.
type CartStore interface {
	// CreateCart makes an empty cart, a guest's when userID is 0. A user who
	// has a cart gets that one back.
	CreateCart(ctx context.Context, userID int64) (*Cart, error)
	// CartByID returns a cart with its lines, oldest first.
	CartByID(ctx context.Context, id string) (*Cart, error)
	// CartOfUser returns the user's cart, or nil.
	CartOfUser(ctx context.Context, userID int64) (*Cart, error)
	// AddLines adds quantities (a variant already in the cart gets more, up to
	// MaxLineQuantity) and returns the cart.
	AddLines(ctx context.Context, cartID string, lines []LineChange) (*Cart, error)
	// SetLines sets quantities; a quantity of 0 removes the line.
	SetLines(ctx context.Context, cartID string, lines []LineChange) (*Cart, error)
	// SeePrices records that the shopper has seen the lines' prices (each
	// change's SeenPrice and Currency; its Quantity is ignored), so that they
	// no longer warn of a price change.
	SeePrices(ctx context.Context, cartID string, lines []LineChange) error
	// AttachToUser makes a guest cart the user's. When the user has a cart
	// already, the guest cart's lines merge into it (quantities added, each
	// capped by capOf, the most the shopper may have of a variant) and the
	// guest cart is deleted; the user's cart is returned.
	AttachToUser(ctx context.Context, cartID string, userID int64, capOf func(variantID int64) int) (*Cart, error)
}
