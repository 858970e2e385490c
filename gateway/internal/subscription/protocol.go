// Package subscription speaks graphql-transport-ws, the WebSocket protocol of
// the graphql-ws library, on both sides of the router: Subscribe is the client
// the router opens towards a subgraph, and ReadMessage/WriteMessage serve the
// router's own clients (gateway/server) and the test subgraphs.
//
// The protocol in short: the client sends connection_init (with a payload,
// where tokens travel) and waits for connection_ack; then subscribe{id,
// payload: a GraphQL request}, to which the server answers next{id, payload:
// a GraphQL response} per event, and ends with complete{id} or error{id,
// payload: [GraphQL errors]}; either side may send complete{id} to stop, and
// ping/pong at any time. Protocol errors close the socket with 44xx codes.
//
// WebSockets come from github.com/coder/websocket, the maintained successor
// of nhooyr.io/websocket: context-aware reads and writes, concurrent writes
// allowed, no dependencies, and already in the module graph through gqlgen.
package subscription

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/coder/websocket"
)

// Protocol is the WebSocket subprotocol name of graphql-transport-ws.
const Protocol = "graphql-transport-ws"

// Message types of graphql-transport-ws.
const (
	TypeConnectionInit = "connection_init"
	TypeConnectionAck  = "connection_ack"
	TypePing           = "ping"
	TypePong           = "pong"
	TypeSubscribe      = "subscribe"
	TypeNext           = "next"
	TypeError          = "error"
	TypeComplete       = "complete"
)

// Close codes of graphql-transport-ws.
const (
	CloseInternalError           websocket.StatusCode = 4500
	CloseBadRequest              websocket.StatusCode = 4400
	CloseUnauthorized            websocket.StatusCode = 4401
	CloseForbidden               websocket.StatusCode = 4403
	CloseSubprotocolNotAccepted  websocket.StatusCode = 4406
	CloseInitTimeout             websocket.StatusCode = 4408
	CloseSubscriberAlreadyExists websocket.StatusCode = 4409
	CloseTooManyInits            websocket.StatusCode = 4429
)

// Message is one graphql-transport-ws message.
type Message struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// Request is the payload of a subscribe message: a GraphQL request.
type Request struct {
	Query         string          `json:"query"`
	OperationName string          `json:"operationName,omitempty"`
	Variables     json.RawMessage `json:"variables,omitempty"`
	Extensions    json.RawMessage `json:"extensions,omitempty"`
}

// ReadMessage reads one text message and decodes it.
func ReadMessage(ctx context.Context, c *websocket.Conn) (Message, error) {
	typ, b, err := c.Read(ctx)
	if err != nil {
		return Message{}, err
	}
	if typ != websocket.MessageText {
		return Message{}, fmt.Errorf("binary message: %w", errBadMessage)
	}
	var m Message
	if err := json.Unmarshal(b, &m); err != nil || m.Type == "" {
		return Message{}, fmt.Errorf("message %.100q: %w", b, errBadMessage)
	}
	return m, nil
}

// WriteMessage encodes and writes one message; it is safe to call
// concurrently on one connection.
func WriteMessage(ctx context.Context, c *websocket.Conn, m Message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode %s message: %w", m.Type, err)
	}
	return c.Write(ctx, websocket.MessageText, b)
}

// errBadMessage marks a message that is not graphql-transport-ws.
var errBadMessage = errors.New("not a " + Protocol + " message")

// IsBadMessage reports whether err is a malformed message.
func IsBadMessage(err error) bool { return err != nil && errors.Is(err, errBadMessage) }
