package opentickets

import (
	"fmt"
	"strings"

	"github.com/frontline-dev/frontline/internal/ingest/routing"
)

// Field is a routing attribute a count query may filter on.
type Field uint8

// The routing fields (routing.Match).
const (
	FieldGroup Field = iota
	FieldBrand
	FieldInbox
	FieldChannel
	FieldLanguage
	FieldTag
)

var fieldNames = [...]string{"group", "brand", "inbox", "channel", "language", "tags"}

func (f Field) String() string { return fieldNames[f] }

// cond is one condition of a rule: the ticket's field is one of Values
// (case-insensitively), or, for FieldTag, the ticket carries the tag
// Values[0].
type cond struct {
	Field  Field
	Values []string
}

// ruleRef names a rule in messages the way config errors do.
type ruleRef struct {
	index int
	name  string
}

func (r ruleRef) String() string {
	if r.name != "" {
		return fmt.Sprintf("rules[%d] (%s)", r.index, r.name)
	}
	return fmt.Sprintf("rules[%d]", r.index)
}

// notClause excludes the tickets of an earlier rule: NOT (all of conds).
// conds are what is left once the conditions the term already implies are
// dropped, so it is never empty.
type notClause struct {
	rule  ruleRef
	conds []cond
}

// term is the tickets one rule routes to the queue: every pos condition
// holds and no earlier rule of another queue took them.
type term struct {
	rule ruleRef
	pos  []cond
	nots []notClause
}

// predicate is the tickets of one source routed to one queue: any term.
// Without terms no ticket of the source can reach the queue.
type predicate struct {
	terms []term
}

func (p predicate) rules() string {
	refs := make([]string, len(p.terms))
	for i, t := range p.terms {
		refs[i] = t.rule.String()
	}
	return strings.Join(refs, ", ")
}

// compiledRule is a routing rule as conditions.
type compiledRule struct {
	ref     ruleRef
	target  routing.Target
	sources []string
	conds   []cond
}

func compileRules(rules []routing.Rule) []compiledRule {
	out := make([]compiledRule, len(rules))
	for i, r := range rules {
		out[i] = compiledRule{
			ref:     ruleRef{index: i, name: r.Name},
			target:  r.Target,
			sources: r.Sources,
			conds:   matchConds(r.Match),
		}
	}
	return out
}

func matchConds(m routing.Match) []cond {
	var out []cond
	for _, f := range [...]struct {
		field  Field
		values []string
	}{
		{FieldGroup, m.Group}, {FieldBrand, m.Brand}, {FieldInbox, m.Inbox},
		{FieldChannel, m.Channel}, {FieldLanguage, m.Language},
	} {
		if len(f.values) > 0 {
			out = append(out, cond{Field: f.field, Values: f.values})
		}
	}
	for _, t := range m.Tags {
		out = append(out, cond{Field: FieldTag, Values: []string{t}})
	}
	return out
}

// neverSet lists, per vendor, the routing fields its webhook adapter never
// fills (see each Parse in internal/ingest/adapter), so a rule that
// requires one never matches that vendor's tickets. Zendesk is absent: its
// trigger webhooks use the generic form, which can carry every field.
var neverSet = map[string][]Field{
	"intercom":  {FieldBrand, FieldInbox, FieldLanguage},
	"freshdesk": {FieldInbox},
	"zammad":    {FieldInbox, FieldLanguage},
	"chatwoot":  {FieldBrand},
}

// live reports whether the rule can match a ticket of this source.
func (r *compiledRule) live(source, vendor string) bool {
	if len(r.sources) > 0 && !containsExact(r.sources, source) {
		return false
	}
	for _, c := range r.conds {
		for _, f := range neverSet[vendor] {
			if c.Field == f && !containsExact(c.Values, "") {
				return false
			}
		}
	}
	return true
}

// predicateFor is the tickets of one source that the rules route to target:
// first match wins, so each rule of the queue excludes what earlier rules
// of other queues take. Earlier rules of the same queue need no exclusion:
// what they take lands in the queue anyway. A rule an earlier rule covers
// entirely is left out everywhere: it routes nothing, and excluding the
// covering rule already excludes it.
func predicateFor(rules []compiledRule, target routing.Target, source, vendor string) predicate {
	used := usedRules(rules, source, vendor)
	var p predicate
	for i := range rules {
		r := &rules[i]
		if r.target != target || !used[i] {
			continue
		}
		t := term{rule: r.ref, pos: r.conds}
		for j := 0; j < i; j++ {
			e := &rules[j]
			if e.target == target || !used[j] {
				continue
			}
			if rest, v := exclude(e.conds, t.pos); v == sometimes {
				t.nots = append(t.nots, notClause{rule: e.ref, conds: rest})
			}
		}
		p.terms = append(p.terms, t)
	}
	return p
}

// usedRules marks the rules that can route a ticket of this source: live
// for it, and not covered by an earlier live rule.
func usedRules(rules []compiledRule, source, vendor string) []bool {
	used := make([]bool, len(rules))
	for i := range rules {
		used[i] = rules[i].live(source, vendor)
		for j := 0; j < i && used[i]; j++ {
			if used[j] {
				if _, v := exclude(rules[j].conds, rules[i].conds); v == always {
					used[i] = false
				}
			}
		}
	}
	return used
}

// verdict says whether a condition holds for every ticket of a term.
type verdict uint8

const (
	sometimes verdict = iota
	always
	never
)

// exclude simplifies "earlier rule e matches" for the tickets pos selects:
// conditions pos already implies are dropped; a condition pos contradicts
// means e never matches them. The verdict is about e matching.
func exclude(e, pos []cond) ([]cond, verdict) {
	var rest []cond
	for _, c := range e {
		switch implied(c, pos) {
		case always:
		case never:
			return nil, never
		default:
			rest = append(rest, c)
		}
	}
	if len(rest) == 0 {
		return nil, always
	}
	return rest, sometimes
}

// implied tells whether c holds for every, no or some ticket that meets pos.
func implied(c cond, pos []cond) verdict {
	for _, p := range pos {
		if p.Field != c.Field {
			continue
		}
		if c.Field == FieldTag {
			if strings.EqualFold(p.Values[0], c.Values[0]) {
				return always
			}
			continue // another tag says nothing about this one
		}
		return compareValues(c.Field, c.Values, p.Values)
	}
	return sometimes
}

// compareValues: does a ticket whose field matches one of have also match
// one of want? always when every have value is covered, never when none
// overlaps.
func compareValues(f Field, want, have []string) verdict {
	covered, overlap := true, false
	for _, h := range have {
		hc, ho := false, false
		for _, w := range want {
			if f == FieldLanguage {
				hc = hc || languageCovers(w, h)
				ho = ho || languagesOverlap(w, h)
			} else if strings.EqualFold(w, h) {
				hc, ho = true, true
			}
		}
		covered = covered && hc
		overlap = overlap || ho
	}
	switch {
	case covered:
		return always
	case !overlap:
		return never
	}
	return sometimes
}

// Languages as routing compares them: "_" is "-", case is ignored, and a
// rule value without region matches every region.
func splitLanguage(s string) (primary, region string) {
	primary, region, _ = strings.Cut(strings.ToLower(strings.ReplaceAll(s, "_", "-")), "-")
	return primary, region
}

// languageCovers: every language pattern h matches, w matches too.
func languageCovers(w, h string) bool {
	wp, wr := splitLanguage(w)
	hp, hr := splitLanguage(h)
	return wp == hp && (wr == "" || wr == hr)
}

// languagesOverlap: some language matches both patterns.
func languagesOverlap(w, h string) bool {
	wp, wr := splitLanguage(w)
	hp, hr := splitLanguage(h)
	return wp == hp && (wr == "" || hr == "" || wr == hr)
}

func containsExact(list []string, v string) bool {
	for _, w := range list {
		if w == v {
			return true
		}
	}
	return false
}
