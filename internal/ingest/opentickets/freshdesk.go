package opentickets

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/frontline-dev/frontline/internal/ingest/config"
)

// freshdesk counts with Filter Tickets:
//
//	GET /api/v2/search/tickets?query="(status:2 OR status:3) AND (group_id:11 AND tag:'vip')"
//	→ {"total": N, "results": [...30 tickets...]}
//
// https://developers.freshdesk.com/api/#filter_tickets
// (fields group_id, tag, status …; AND, OR and parentheses; the quoted
// query at most 512 characters; total counts every match, results hold the
// first page; a change takes a few minutes to be searchable.)
// Auth: the API key as basic-auth user, "X" as password:
// https://developers.freshdesk.com/api/#authentication
//
// The filter language has no NOT, so a rule's share cannot leave out what
// an earlier rule of another queue takes. Groups are filtered by id
// (groupIds maps the names the webhook sends); products, sources and
// languages are not filter fields.
type freshdesk struct {
	groupIDs idMap
	statuses []int
}

// Freshdesk's unsolved statuses: 2 open, 3 pending (4 resolved, 5 closed).
var defaultFreshdeskStatuses = []int{2, 3}

// freshdeskMaxQuery is the documented limit of the query value.
const freshdeskMaxQuery = 512

func newFreshdesk(o *config.OpenTickets) freshdesk {
	f := freshdesk{groupIDs: newIDMap(o.GroupIDs), statuses: o.Statuses}
	if len(f.statuses) == 0 {
		f.statuses = defaultFreshdeskStatuses
	}
	return f
}

func (freshdesk) auth(h http.Header, token string) []string {
	return basicAuth(h, token, "X")
}

func (freshdesk) headers() map[string]string { return nil }

func (f freshdesk) build(p predicate) (apiRequest, error) {
	statuses := make([]string, len(f.statuses))
	for i, s := range f.statuses {
		statuses[i] = "status:" + strconv.Itoa(s)
	}
	query := statuses[0]
	if len(statuses) > 1 {
		query = "(" + strings.Join(statuses, " OR ") + ")"
	}
	terms := make([][]string, 0, len(p.terms))
	for _, t := range p.terms {
		var parts []string
		for _, c := range t.pos {
			part, err := f.condition(t.rule, c)
			if err != nil {
				return apiRequest{}, err
			}
			parts = append(parts, part)
		}
		if len(t.nots) > 0 {
			return apiRequest{}, cannotExclude(t, t.nots[0], "Freshdesk's filter query has no NOT")
		}
		terms = append(terms, parts)
	}
	if expr, ok := orOfAnds(terms); ok {
		query += " AND " + expr
	}
	quoted := `"` + query + `"`
	if len(quoted) > freshdeskMaxQuery {
		return apiRequest{}, fmt.Errorf("the query for %s is %d characters, over Freshdesk's %d", p.rules(), len(quoted), freshdeskMaxQuery)
	}
	return apiRequest{method: http.MethodGet, path: "/api/v2/search/tickets", query: url.Values{"query": {quoted}}}, nil
}

func (f freshdesk) condition(r ruleRef, c cond) (string, error) {
	var alts []string
	for _, v := range c.Values {
		switch c.Field {
		case FieldGroup:
			id, ok := f.groupIDs.id(v)
			if !ok {
				return "", cannot(r, c.Field, "Freshdesk filters by group_id; map %q in openTickets.groupIds", v)
			}
			alts = append(alts, "group_id:"+id)
		case FieldTag:
			if v == "" || strings.ContainsAny(v, `'"`) {
				return "", cannot(r, c.Field, "tag %q cannot be written in a Freshdesk query", v)
			}
			alts = append(alts, "tag:'"+v+"'")
		case FieldBrand, FieldChannel, FieldLanguage:
			return "", cannot(r, c.Field, "not a field Freshdesk's filter query offers")
		default:
			return "", cannot(r, c.Field, "Freshdesk tickets have no inbox")
		}
	}
	if len(alts) == 1 {
		return alts[0], nil
	}
	return "(" + strings.Join(alts, " OR ") + ")", nil
}

func (freshdesk) count(body []byte) (int64, error) {
	var r struct {
		Total *int64 `json:"total"`
	}
	if json.Unmarshal(body, &r) != nil || r.Total == nil {
		return 0, errShape("total")
	}
	return *r.Total, nil
}
