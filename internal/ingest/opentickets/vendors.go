package opentickets

import (
	"fmt"
	"strings"

	"github.com/frontline-dev/frontline/internal/ingest/config"
)

// newVendor builds the count API of a validated source's openTickets.
func newVendor(name string, o *config.OpenTickets) (vendor, error) {
	switch name {
	case "zendesk":
		return zendesk{email: o.Email}, nil
	case "freshdesk":
		return newFreshdesk(o), nil
	case "intercom":
		return intercom{tagIDs: newIDMap(o.TagIDs)}, nil
	case "zammad":
		return newZammad(o), nil
	case "chatwoot":
		return chatwoot{accountID: o.AccountID, groupIDs: newIDMap(o.GroupIDs)}, nil
	}
	return nil, fmt.Errorf("vendor %q has no open-ticket count", name)
}

// cannot says which rule's condition a vendor's query cannot express.
func cannot(r ruleRef, f Field, format string, args ...any) error {
	return fmt.Errorf("%s: match.%s: %s", r, f, fmt.Sprintf(format, args...))
}

// cannotExclude says a vendor's query cannot leave out an earlier rule's
// tickets.
func cannotExclude(t term, n notClause, why string) error {
	return fmt.Errorf("%s: tickets it matches that earlier %s takes must be left out, and %s", t.rule, n.rule, why)
}

// idMap maps a routing value to a helpdesk id, ignoring case.
type idMap map[string]string

func newIDMap(m map[string]config.ID) idMap {
	out := make(idMap, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = string(v)
	}
	return out
}

// id is the mapped id, or the value itself when it already is a number.
func (m idMap) id(v string) (string, bool) {
	if id, ok := m[strings.ToLower(v)]; ok {
		return id, true
	}
	if isDigits(v) {
		return v, true
	}
	return "", false
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// orOfAnds writes terms (each a list of ANDed atoms) as one expression for
// query languages with AND, OR and parentheses. ok is false when a term has
// no atoms: it matches every ticket, so the terms add no filter.
func orOfAnds(terms [][]string) (expr string, ok bool) {
	parts := make([]string, len(terms))
	for i, t := range terms {
		if len(t) == 0 {
			return "", false
		}
		parts[i] = strings.Join(t, " AND ")
		if len(t) > 1 && len(terms) > 1 {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	if len(parts) == 1 {
		return parts[0], true
	}
	return "(" + strings.Join(parts, " OR ") + ")", true
}
