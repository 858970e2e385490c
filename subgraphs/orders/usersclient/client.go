// Package usersclient reads a signed-in shopper's email and address book from
// the users service for checkout. It asks the users subgraph's own GraphQL
// API for `me`, with the shopper's access token: the users service decides
// what the token may read, so orders needs no credential of its own for it.
package usersclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/shopgraph/shopgraph/internal/config"
	"github.com/shopgraph/shopgraph/subgraphs/orders"
	"github.com/shopgraph/shopgraph/subgraphs/orders/checkout"
)

// DefaultTimeout bounds one call when New is given none.
const DefaultTimeout = 5 * time.Second

// maxResponseBytes bounds an answer: 20 addresses fit in a few kilobytes.
const maxResponseBytes = 1 << 20

const profileQuery = `query CheckoutProfile { me { email addresses { id name line1 line2 city region postalCode country phone } } }`

// Client calls the users service. It is safe for concurrent use.
type Client struct {
	url     string
	timeout time.Duration
	http    *http.Client
}

var _ checkout.Accounts = (*Client)(nil)

// New returns a client of the users subgraph's GraphQL endpoint (such as
// http://users:4003/graphql); a zero timeout means DefaultTimeout.
func New(graphqlURL string, timeout time.Duration) (*Client, error) {
	if err := config.CheckURL(graphqlURL, "http", "https"); err != nil {
		return nil, fmt.Errorf("users client: %w", err)
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Client{url: graphqlURL, timeout: timeout, http: &http.Client{}}, nil
}

type profileResponse struct {
	Data struct {
		Me *struct {
			Email     string `json:"email"`
			Addresses []struct {
				ID         string  `json:"id"`
				Name       string  `json:"name"`
				Line1      string  `json:"line1"`
				Line2      *string `json:"line2"`
				City       string  `json:"city"`
				Region     *string `json:"region"`
				PostalCode string  `json:"postalCode"`
				Country    string  `json:"country"`
				Phone      *string `json:"phone"`
			} `json:"addresses"`
		} `json:"me"`
	} `json:"data"`
	Errors []struct {
		Message string `json:"message"`
	} `json:"errors"`
}

// ErrNotSignedIn says that the users service took the token for no one.
var ErrNotSignedIn = errors.New("the users service does not know the access token's user")

// Profile implements checkout.Accounts.
func (c *Client) Profile(ctx context.Context, accessToken string) (*checkout.Profile, error) {
	body, err := json.Marshal(map[string]any{"query": profileQuery})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("read profile: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json, application/json")
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("read profile: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return nil, fmt.Errorf("read profile: %w", err)
	}
	var out profileResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("read profile: HTTP %d, not a GraphQL answer: %w", resp.StatusCode, err)
	}
	if len(out.Errors) > 0 {
		return nil, fmt.Errorf("read profile: HTTP %d: %s", resp.StatusCode, out.Errors[0].Message)
	}
	me := out.Data.Me
	if me == nil {
		return nil, ErrNotSignedIn
	}
	p := &checkout.Profile{Email: me.Email, Addresses: make(map[string]orders.Address, len(me.Addresses))}
	text := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	for _, a := range me.Addresses {
		p.Addresses[a.ID] = orders.Address{Name: a.Name, Line1: a.Line1, Line2: text(a.Line2), City: a.City,
			Region: text(a.Region), PostalCode: a.PostalCode, Country: a.Country, Phone: text(a.Phone)}
	}
	return p, nil
}
