package config

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// OpenTickets configures a source's open-ticket count: the helpdesk's REST
// API is asked, every backlog.correctionInterval, how many unsolved tickets
// each queue has, and that count replaces frontline_queue_backlog. The
// credential comes from TokenFile, never from this file.
type OpenTickets struct {
	// URL is the API's base: https://acme.zendesk.com,
	// https://acme.freshdesk.com, https://api.intercom.io (or the EU/AU
	// region host), https://zammad.example.com, https://app.chatwoot.com.
	URL string `json:"url"`
	// TokenFile holds the API credential on its first non-empty line:
	// Zendesk API token, Freshdesk API key, Intercom access token, Zammad
	// access token, Chatwoot user access token. Re-read on every round.
	TokenFile string `json:"tokenFile"`
	// Email is the Zendesk user the API token authenticates (zendesk only).
	Email string `json:"email,omitempty"`
	// AccountID is the Chatwoot account whose conversations are counted
	// (chatwoot only).
	AccountID int64 `json:"accountId,omitempty"`
	// GroupIDs maps a group value of the routing rules (what the webhook
	// carries, usually a name) to the id the count API filters by:
	// Freshdesk group_id, Chatwoot team_id, Zammad group_id (exact, where
	// group.name would match as a phrase).
	GroupIDs map[string]ID `json:"groupIds,omitempty"`
	// TagIDs maps a tag of the routing rules to Intercom's tag id
	// (Intercom searches tags by id only).
	TagIDs map[string]ID `json:"tagIds,omitempty"`
	// Statuses are the Freshdesk status codes counted as unsolved: 2
	// (open) and 3 (pending) by default; add your custom statuses.
	Statuses []int `json:"statuses,omitempty"`
	// States are the Zammad state names counted as unsolved: new, open,
	// pending reminder and pending close by default.
	States []string `json:"states,omitempty"`
	// Timeout bounds each request (default 10s, at most 1m).
	Timeout *Duration `json:"timeout,omitempty"`
}

// ID is an identifier written as a string or a number.
type ID string

// UnmarshalJSON accepts "8447" and 8447.
func (i *ID) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*i = ID(s)
		return nil
	}
	if _, err := strconv.ParseInt(string(b), 10, 64); err != nil {
		return fmt.Errorf("an id must be a string or an integer, not %s", b)
	}
	*i = ID(b)
	return nil
}

// Open-ticket defaults and limits.
const (
	DefaultOpenTicketsTimeout = 10 * time.Second
	MaxOpenTicketsTimeout     = time.Minute
	// MinCorrectionInterval keeps a round (one request per queue) from
	// eating the helpdesk's API quota.
	MinCorrectionInterval = 30 * time.Second
)

// openTicketVendors lists the vendors with a built-in count, and the
// per-vendor settings each accepts beyond url and tokenFile.
var openTicketVendors = map[string][]string{
	"zendesk":   {"email"},
	"freshdesk": {"groupIds", "statuses"},
	"intercom":  {"tagIds"},
	"zammad":    {"groupIds", "states"},
	"chatwoot":  {"accountId", "groupIds"},
}

// OpenTicketVendors lists the vendors with a built-in open-ticket count.
func OpenTicketVendors() []string {
	out := make([]string, 0, len(openTicketVendors))
	for v := range openTicketVendors {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// RequestTimeout is the per-request timeout in force.
func (o *OpenTickets) RequestTimeout() time.Duration {
	return durationOr(o.Timeout, DefaultOpenTicketsTimeout)
}

// HasOpenTickets reports whether any source configures a count.
func (c *Config) HasOpenTickets() bool {
	for i := range c.Sources {
		if c.Sources[i].OpenTickets != nil {
			return true
		}
	}
	return false
}

// validateOpenTickets checks every source's openTickets block and the
// backlog settings a correction needs.
func (c *Config) validateOpenTickets(p *problems) {
	bad := p.add
	configured := false
	for i := range c.Sources {
		s := &c.Sources[i]
		if s.OpenTickets == nil {
			continue
		}
		configured = true
		at := fmt.Sprintf("sources[%d].openTickets", i)
		allowed, known := openTicketVendors[s.Vendor]
		if !known {
			bad("%s: vendor %q has no open-ticket count (openTickets works with: %s)", at, s.Vendor, strings.Join(OpenTicketVendors(), ", "))
			continue
		}
		o := s.OpenTickets
		validateAPIURL(p, at, o.URL)
		if strings.TrimSpace(o.TokenFile) == "" {
			bad("%s.tokenFile: missing; the API credential is read from a file, never written in the config", at)
		}
		for _, f := range setOpenTicketFields(o) {
			if !contains(allowed, f) {
				bad("%s.%s: not used by %s", at, f, s.Vendor)
			}
		}
		switch s.Vendor {
		case "zendesk":
			if strings.TrimSpace(o.Email) == "" {
				bad("%s.email: missing; Zendesk API tokens authenticate as {email}/token", at)
			}
		case "chatwoot":
			if o.AccountID <= 0 {
				bad("%s.accountId: missing; the Chatwoot account id is in the dashboard URL (/app/accounts/{id}/…)", at)
			}
		}
		validateIDs(p, at+".groupIds", o.GroupIDs)
		validateIDs(p, at+".tagIds", o.TagIDs)
		for _, st := range o.Statuses {
			if st < 2 {
				bad("%s.statuses: %d is not an unsolved Freshdesk status (2 open, 3 pending, custom statuses from 6)", at, st)
			}
		}
		for j, st := range o.States {
			if strings.TrimSpace(st) == "" {
				bad("%s.states[%d]: empty", at, j)
			}
		}
		if o.Timeout != nil && (o.Timeout.Duration <= 0 || o.Timeout.Duration > MaxOpenTicketsTimeout) {
			bad("%s.timeout: must be positive and at most %s", at, MaxOpenTicketsTimeout)
		}
		if c.BacklogMode() != BacklogSingle {
			bad("%s: a correction replaces frontline_queue_backlog with the helpdesk's count, so it needs backlog.mode %q (one replica owns the backlog); in %q mode each replica exports only its share and the operator adds them, so a replaced share would count the backlog once per replica", at, BacklogSingle, BacklogDelta)
		}
	}
	if configured && c.CorrectionInterval() < MinCorrectionInterval {
		bad("backlog.correctionInterval: at least %s with openTickets (every round sends one request per queue to the helpdesk's API)", MinCorrectionInterval)
	}
}

// validateIDs wants every mapped id numeric, as every vendor's ids are.
func validateIDs(p *problems, at string, m map[string]ID) {
	for _, k := range sortedKeys(m) {
		if _, err := strconv.ParseUint(string(m[k]), 10, 64); err != nil {
			p.add("%s[%q]: %q is not a numeric id", at, k, string(m[k]))
		}
	}
}

func sortedKeys(m map[string]ID) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// setOpenTicketFields names the vendor-specific fields that are set.
func setOpenTicketFields(o *OpenTickets) []string {
	var out []string
	if o.Email != "" {
		out = append(out, "email")
	}
	if o.AccountID != 0 {
		out = append(out, "accountId")
	}
	if len(o.GroupIDs) > 0 {
		out = append(out, "groupIds")
	}
	if len(o.TagIDs) > 0 {
		out = append(out, "tagIds")
	}
	if len(o.Statuses) > 0 {
		out = append(out, "statuses")
	}
	if len(o.States) > 0 {
		out = append(out, "states")
	}
	return out
}

// validateAPIURL accepts an http(s) base URL without credentials, query or
// fragment: the credential travels in a header, from its file.
func validateAPIURL(p *problems, at, raw string) {
	if strings.TrimSpace(raw) == "" {
		p.add("%s.url: missing (the helpdesk's API base, e.g. https://acme.zendesk.com)", at)
		return
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		p.add("%s.url: not a URL", at)
	case u.Scheme != "https" && u.Scheme != "http":
		p.add("%s.url %q: must be https:// (or http:// inside the cluster)", at, u.Redacted())
	case u.Host == "":
		p.add("%s.url %q: no host", at, u.Redacted())
	case u.User != nil:
		p.add("%s.url: must not carry credentials; put the token in tokenFile", at)
	case u.RawQuery != "" || u.Fragment != "":
		p.add("%s.url %q: must not have a query or fragment", at, u.Redacted())
	}
}

func contains(list []string, v string) bool {
	for _, w := range list {
		if w == v {
			return true
		}
	}
	return false
}
