package adapter

import (
	"fmt"
	"sort"
	"strings"

	"github.com/frontline-dev/frontline/internal/ingest/event"
)

// Settings are the per-source options some vendors need.
type Settings struct {
	// Auth picks the check for vendors that offer a choice: "signature"
	// (chatwoot's default) or "token" (chatwoot without signing). Freshdesk
	// always accepts basic auth, the token header or the URL token.
	Auth string
	// BasicUser, when set, is the username Freshdesk's basic auth must carry.
	BasicUser string
	// TriggerKinds maps a Zammad trigger name (X-Zammad-Trigger) to a kind.
	TriggerKinds map[string]event.Kind
}

// Auth modes.
const (
	AuthSignature = "signature"
	AuthToken     = "token"
)

type factory func(Settings) (event.Adapter, error)

var factories = map[string]factory{
	"zendesk":   func(Settings) (event.Adapter, error) { return zendesk{}, nil },
	"intercom":  func(Settings) (event.Adapter, error) { return intercom{}, nil },
	"freshdesk": func(s Settings) (event.Adapter, error) { return freshdesk{user: s.BasicUser}, nil },
	"zammad":    newZammad,
	"chatwoot":  newChatwoot,
	"generic":   func(Settings) (event.Adapter, error) { return generic{}, nil },
}

// New builds the adapter of a vendor.
func New(vendor string, s Settings) (event.Adapter, error) {
	f, ok := factories[vendor]
	if !ok {
		return nil, fmt.Errorf("unknown vendor %q (known: %s)", vendor, strings.Join(Vendors(), ", "))
	}
	return f(s)
}

// Vendors lists the vendor names, sorted.
func Vendors() []string {
	out := make([]string, 0, len(factories))
	for v := range factories {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// Known reports whether vendor has an adapter.
func Known(vendor string) bool {
	_, ok := factories[vendor]
	return ok
}
