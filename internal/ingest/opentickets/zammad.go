package opentickets

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/frontline-dev/frontline/internal/ingest/config"
)

// zammad counts with the ticket search's total:
//
//	GET /api/v1/tickets/search?query=state.name:("new" OR "open" …) AND (group.name:"Billing")&only_total_count=true
//	→ {"total_count": N}
//
// https://docs.zammad.org/en/latest/api/intro.html#search-via-api
// ("Only Total Count" parameter, documented from Zammad 6.5; older versions
// answer a ticket list, which is reported as an error). The query is
// Elasticsearch syntax over the indexed ticket attributes state.name,
// group.name, group_id, organization.name, create_article_type.name and
// tags, with AND, OR, NOT and parentheses:
// https://docs.zammad.org/en/latest/install/elasticsearch/indexed-attributes.html
// Auth: "Authorization: Token token=<access token>":
// https://docs.zammad.org/en/latest/api/intro.html#authentication
//
// Zammad needs Elasticsearch for this search. Names match as phrases
// (group.name:"Sales" also finds "Sales EU"); map groups in groupIds to
// match group_id exactly.
type zammad struct {
	groupIDs idMap
	states   []string
}

// The unsolved states of a default Zammad; closed, merged and removed are
// not in the backlog.
var defaultZammadStates = []string{"new", "open", "pending reminder", "pending close"}

func newZammad(o *config.OpenTickets) zammad {
	z := zammad{groupIDs: newIDMap(o.GroupIDs), states: o.States}
	if len(z.states) == 0 {
		z.states = defaultZammadStates
	}
	return z
}

func (zammad) auth(h http.Header, token string) []string {
	h.Set("Authorization", "Token token="+token)
	return nil
}

func (zammad) headers() map[string]string { return nil }

func (z zammad) build(p predicate) (apiRequest, error) {
	states := make([]string, len(z.states))
	for i, s := range z.states {
		states[i] = zammadQuote(s)
	}
	query := "state.name:(" + strings.Join(states, " OR ") + ")"
	terms := make([][]string, 0, len(p.terms))
	for _, t := range p.terms {
		var parts []string
		for _, c := range t.pos {
			s, err := z.condition(t.rule, c)
			if err != nil {
				return apiRequest{}, err
			}
			parts = append(parts, s)
		}
		for _, n := range t.nots {
			var all []string
			for _, c := range n.conds {
				s, err := z.condition(n.rule, c)
				if err != nil {
					return apiRequest{}, err
				}
				all = append(all, s)
			}
			parts = append(parts, "NOT ("+strings.Join(all, " AND ")+")")
		}
		terms = append(terms, parts)
	}
	if expr, ok := orOfAnds(terms); ok {
		query += " AND " + expr
	}
	return apiRequest{method: http.MethodGet, path: "/api/v1/tickets/search",
		query: url.Values{"query": {query}, "only_total_count": {"true"}}}, nil
}

func (z zammad) condition(r ruleRef, c cond) (string, error) {
	var alts []string
	for _, v := range c.Values {
		if strings.TrimSpace(v) == "" {
			return "", cannot(r, c.Field, "an empty value cannot be searched for")
		}
		switch c.Field {
		case FieldGroup:
			if id, ok := z.groupIDs[strings.ToLower(v)]; ok && isDigits(id) {
				alts = append(alts, "group_id:"+id)
			} else {
				alts = append(alts, "group.name:"+zammadQuote(v))
			}
		case FieldBrand:
			alts = append(alts, "organization.name:"+zammadQuote(v))
		case FieldChannel:
			alts = append(alts, "create_article_type.name:"+zammadQuote(v))
		case FieldTag:
			alts = append(alts, "tags:"+zammadQuote(v))
		default:
			return "", cannot(r, c.Field, "Zammad tickets have no %s", c.Field)
		}
	}
	if len(alts) == 1 {
		return alts[0], nil
	}
	return "(" + strings.Join(alts, " OR ") + ")", nil
}

// zammadQuote writes a phrase, escaping what Elasticsearch's query syntax
// would read inside one.
func zammadQuote(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
}

func (zammad) count(body []byte) (int64, error) {
	var r struct {
		TotalCount *int64 `json:"total_count"`
	}
	if json.Unmarshal(body, &r) != nil || r.TotalCount == nil {
		return 0, errShape("total_count (only_total_count needs Zammad 6.5 or later, with Elasticsearch)")
	}
	return *r.TotalCount, nil
}
