// Package config reads and validates the frontline-ingest configuration:
// the webhook sources (one per helpdesk account, each with its secret
// file) and the routing rules the platform writes.
package config

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/frontline-dev/frontline/internal/ingest/routing"
)

// Config is the whole file.
type Config struct {
	Sources []Source       `json:"sources"`
	Rules   []routing.Rule `json:"rules"`
	// Tolerance is the default age limit of a signed timestamp.
	Tolerance *Duration `json:"tolerance,omitempty"`
	// MaxBodyBytes caps a webhook body; larger ones get 413.
	MaxBodyBytes int64   `json:"maxBodyBytes,omitempty"`
	Dedup        Dedup   `json:"dedup,omitempty"`
	Backlog      Backlog `json:"backlog,omitempty"`
}

// Source is one helpdesk account: its URL is /webhooks/{name}.
type Source struct {
	Name   string `json:"name"`
	Vendor string `json:"vendor"`
	// SecretFile holds the secret (a mounted Secret key). Several
	// non-empty lines are several accepted secrets, for rotation.
	SecretFile string `json:"secretFile"`
	// Tolerance overrides the default for this source (0 disables the
	// check, which only vendors that sign a timestamp do).
	Tolerance *Duration `json:"tolerance,omitempty"`
	// HandleTime picks what feeds frontline_ticket_handle_seconds:
	// "solved" (created → solved, the default) or "first_reply".
	HandleTime string `json:"handleTime,omitempty"`
	// Auth: chatwoot "signature" (default) or "token".
	Auth string `json:"auth,omitempty"`
	// BasicAuthUser: the username Freshdesk must send, when set.
	BasicAuthUser string `json:"basicAuthUser,omitempty"`
	// TriggerKinds: Zammad trigger name → created|first_reply|solved.
	TriggerKinds map[string]string `json:"triggerKinds,omitempty"`
	// OpenTickets, when set, corrects the backlog of the queues this
	// source feeds from the helpdesk's own count (backlog.mode single).
	OpenTickets *OpenTickets `json:"openTickets,omitempty"`
}

// Dedup bounds the de-duplication window.
type Dedup struct {
	Window     *Duration `json:"window,omitempty"`
	MaxEntries int       `json:"maxEntries,omitempty"`
}

// Backlog modes.
const (
	// BacklogDelta: each replica exports created − solved as it saw them,
	// negative on one replica if need be; the sum over replicas is the
	// backlog.
	BacklogDelta = "delta"
	// BacklogSingle: one replica owns the backlog: the gauge never goes
	// below zero and a correction, when registered, replaces it.
	BacklogSingle = "single"
)

// Backlog configures frontline_queue_backlog.
type Backlog struct {
	Mode string `json:"mode,omitempty"`
	// CorrectionInterval is how often the open-ticket counts (sources'
	// openTickets) replace the gauge (single mode only).
	CorrectionInterval *Duration `json:"correctionInterval,omitempty"`
}

// Handle-time sources.
const (
	HandleSolved     = "solved"
	HandleFirstReply = "first_reply"
)

// Defaults.
const (
	DefaultTolerance          = 5 * time.Minute
	DefaultMaxBodyBytes       = 1 << 20
	DefaultDedupWindow        = 10 * time.Minute
	DefaultDedupMaxEntries    = 1_000_000
	DefaultCorrectionInterval = 5 * time.Minute
)

// Duration reads "5m", "90s" from the file.
type Duration struct{ time.Duration }

// UnmarshalJSON accepts a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string like \"5m\"")
	}
	v, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("duration %q: %v", s, err)
	}
	d.Duration = v
	return nil
}

// MarshalJSON writes the Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

func durationOr(d *Duration, def time.Duration) time.Duration {
	if d == nil {
		return def
	}
	return d.Duration
}

// SourceTolerance is the timestamp tolerance in force for a source.
func (c *Config) SourceTolerance(s *Source) time.Duration {
	return durationOr(s.Tolerance, durationOr(c.Tolerance, DefaultTolerance))
}

// BodyLimit is the body cap in force.
func (c *Config) BodyLimit() int64 {
	if c.MaxBodyBytes > 0 {
		return c.MaxBodyBytes
	}
	return DefaultMaxBodyBytes
}

// DedupWindow is the de-duplication window in force.
func (c *Config) DedupWindow() time.Duration {
	return durationOr(c.Dedup.Window, DefaultDedupWindow)
}

// DedupMaxEntries is the de-duplication size bound in force.
func (c *Config) DedupMaxEntries() int {
	if c.Dedup.MaxEntries > 0 {
		return c.Dedup.MaxEntries
	}
	return DefaultDedupMaxEntries
}

// BacklogMode is the backlog mode in force.
func (c *Config) BacklogMode() string {
	if c.Backlog.Mode == "" {
		return BacklogDelta
	}
	return c.Backlog.Mode
}

// CorrectionInterval is the backlog correction period in force.
func (c *Config) CorrectionInterval() time.Duration {
	return durationOr(c.Backlog.CorrectionInterval, DefaultCorrectionInterval)
}
