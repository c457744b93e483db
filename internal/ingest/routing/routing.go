// Package routing maps a ticket event to the (namespace, queue) whose
// series it feeds. Rules are tried in order and the first match wins.
//
// Within a rule every listed field must match and an absent field matches
// anything. A field lists alternatives (any of them matches), except tags:
// every listed tag must be on the ticket. Comparisons ignore case; a
// language matches on its primary subtag when the rule names only that
// ("pt" matches "pt-BR", "pt_br"; "pt-BR" matches only Brazilian).
package routing

import (
	"strings"

	"github.com/frontline-dev/frontline/internal/ingest/event"
)

// Target is the queue an event is counted for.
type Target struct {
	Namespace string `json:"namespace"`
	Queue     string `json:"queue"`
}

func (t Target) String() string { return t.Namespace + "/" + t.Queue }

// Match lists the attribute values a rule accepts.
type Match struct {
	Group    []string `json:"group,omitempty"`
	Brand    []string `json:"brand,omitempty"`
	Inbox    []string `json:"inbox,omitempty"`
	Channel  []string `json:"channel,omitempty"`
	Language []string `json:"language,omitempty"`
	// Tags must all be present on the ticket.
	Tags []string `json:"tags,omitempty"`
}

// Rule sends matching events to Target.
type Rule struct {
	Name string `json:"name,omitempty"`
	// Sources, when set, limits the rule to events from these sources.
	Sources []string `json:"sources,omitempty"`
	Match   Match    `json:"match,omitempty"`
	Target  Target   `json:"target"`
}

// Table is a compiled, read-only rule list, safe for concurrent use.
type Table struct {
	rules []Rule
}

// NewTable keeps the rules in order; validation is the config's job.
func NewTable(rules []Rule) *Table {
	return &Table{rules: append([]Rule(nil), rules...)}
}

// Route returns the index of the first rule that matches, or false.
func (t *Table) Route(source string, a *event.Attributes) (int, bool) {
	for i := range t.rules {
		if t.rules[i].matches(source, a) {
			return i, true
		}
	}
	return 0, false
}

// Rules returns the rules in order.
func (t *Table) Rules() []Rule { return t.rules }

func (r *Rule) matches(source string, a *event.Attributes) bool {
	m := &r.Match
	return (len(r.Sources) == 0 || contains(r.Sources, source, exact)) &&
		anyOf(m.Group, a.Group) &&
		anyOf(m.Brand, a.Brand) &&
		anyOf(m.Inbox, a.Inbox) &&
		anyOf(m.Channel, a.Channel) &&
		(len(m.Language) == 0 || contains(m.Language, a.Language, sameLanguage)) &&
		allTags(m.Tags, a.Tags)
}

func anyOf(want []string, got string) bool {
	return len(want) == 0 || contains(want, got, strings.EqualFold)
}

func contains(list []string, v string, eq func(a, b string) bool) bool {
	for _, w := range list {
		if eq(w, v) {
			return true
		}
	}
	return false
}

func exact(a, b string) bool { return a == b }

func allTags(want, have []string) bool {
	for _, w := range want {
		if !contains(have, w, strings.EqualFold) {
			return false
		}
	}
	return true
}

// sameLanguage compares BCP 47-ish tags: "_" counts as "-", case is
// ignored, and a rule without a region matches every region.
func sameLanguage(rule, got string) bool {
	if got == "" {
		return false
	}
	rule = strings.ReplaceAll(rule, "_", "-")
	got = strings.ReplaceAll(got, "_", "-")
	if strings.EqualFold(rule, got) {
		return true
	}
	if strings.Contains(rule, "-") {
		return false
	}
	primary, _, _ := strings.Cut(got, "-")
	return strings.EqualFold(rule, primary)
}
