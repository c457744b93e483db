package event

import (
	"errors"
	"net/http"
	"time"
)

// Delivery is one webhook request as an adapter sees it.
type Delivery struct {
	Header http.Header
	Body   []byte
	// PathToken is the optional last path segment (/webhooks/{source}/{token}),
	// for helpdesks that can only carry a shared secret in the URL.
	PathToken string
}

// Keys are the secrets of one source. Several are accepted at once so a
// secret can be rotated without dropping deliveries.
type Keys [][]byte

// Adapter turns one vendor's webhooks into Events.
type Adapter interface {
	// Vendor is the vendor's config name, e.g. "zendesk".
	Vendor() string
	// Authenticate checks what the vendor signs. It returns nil, or an error
	// wrapping ErrBadSignature or ErrStale. It never puts a secret or a
	// signature in the error.
	Authenticate(d *Delivery, keys Keys, now time.Time, tolerance time.Duration) error
	// Parse reads an authenticated body. ok is false for a well-formed
	// delivery Frontline does not count (a ping, a priority change); err
	// wraps ErrMalformed when the body is not what the vendor sends.
	Parse(d *Delivery) (ev Event, ok bool, err error)
}

// The rejection classes; each maps to one HTTP status and one outcome label.
var (
	ErrBadSignature = errors.New("bad or missing signature")
	ErrStale        = errors.New("timestamp outside the tolerance")
	ErrMalformed    = errors.New("malformed body")
)
