package opentickets

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// zendesk counts with the Search API's count endpoint:
//
//	GET /api/v2/search/count?query=type:ticket status<solved group:X tags:y -tags:z
//	→ {"count": N}
//
// https://developer.zendesk.com/api-reference/ticketing/ticket-management/search/#show-results-count
// Query syntax (keywords group, brand, tags; "-" negates; status<solved is
// new, open, pending and on-hold):
// https://support.zendesk.com/hc/en-us/articles/4408886879258
// Auth: API token as basic auth, "{email}/token:{token}":
// https://developer.zendesk.com/api-reference/introduction/security-and-auth/
//
// Zendesk search ANDs its terms and has no OR, so a queue's share must be
// one rule, with one value per field and one tag, and an earlier rule it
// must leave out may differ from it in one condition only (-keyword:value).
type zendesk struct{ email string }

func (z zendesk) auth(h http.Header, token string) []string {
	return basicAuth(h, z.email+"/token", token)
}

func (zendesk) headers() map[string]string { return nil }

func (zendesk) build(p predicate) (apiRequest, error) {
	if len(p.terms) != 1 {
		return apiRequest{}, fmt.Errorf("%d rules route tickets here (%s), and Zendesk search has no OR to count them in one query", len(p.terms), p.rules())
	}
	t := p.terms[0]
	q := []string{"type:ticket", "status<solved"}
	if tags := countTags(t.pos); tags > 1 {
		return apiRequest{}, cannot(t.rule, FieldTag, "%d tags; one Zendesk search cannot require several tags reliably, so route on one", tags)
	}
	for _, c := range t.pos {
		kw, err := zendeskKeyword(t.rule, c)
		if err != nil {
			return apiRequest{}, err
		}
		if len(c.Values) != 1 {
			return apiRequest{}, cannot(t.rule, c.Field, "%d values, and Zendesk search has no OR", len(c.Values))
		}
		v, err := zendeskValue(t.rule, c.Field, c.Values[0])
		if err != nil {
			return apiRequest{}, err
		}
		q = append(q, kw+":"+v)
	}
	for _, n := range t.nots {
		if len(n.conds) != 1 {
			return apiRequest{}, cannotExclude(t, n, "Zendesk search can only negate single terms, not NOT (a AND b)")
		}
		c := n.conds[0]
		kw, err := zendeskKeyword(n.rule, c)
		if err != nil {
			return apiRequest{}, err
		}
		for _, val := range c.Values {
			v, err := zendeskValue(n.rule, c.Field, val)
			if err != nil {
				return apiRequest{}, err
			}
			q = append(q, "-"+kw+":"+v)
		}
	}
	return apiRequest{method: http.MethodGet, path: "/api/v2/search/count", query: url.Values{"query": {strings.Join(q, " ")}}}, nil
}

func countTags(conds []cond) int {
	n := 0
	for _, c := range conds {
		if c.Field == FieldTag {
			n++
		}
	}
	return n
}

func zendeskKeyword(r ruleRef, c cond) (string, error) {
	switch c.Field {
	case FieldGroup:
		return "group", nil // a group's name or id
	case FieldBrand:
		return "brand", nil // a brand's name or id
	case FieldTag:
		return "tags", nil
	case FieldChannel:
		return "", cannot(r, c.Field, "the webhook's via.channel names (web_form, native_messaging …) are not the search's via: values")
	case FieldInbox:
		return "", cannot(r, c.Field, "Zendesk tickets have no inbox")
	}
	return "", cannot(r, c.Field, "Zendesk search cannot filter tickets by the requester's language")
}

// zendeskValue quotes a value with spaces; a quote cannot be searched for.
func zendeskValue(r ruleRef, f Field, v string) (string, error) {
	switch {
	case strings.TrimSpace(v) == "":
		return "", cannot(r, f, "an empty value cannot be searched for")
	case strings.Contains(v, `"`):
		return "", cannot(r, f, "%q has a double quote, which Zendesk search cannot match", v)
	case strings.ContainsAny(v, " \t:<>*()"):
		return `"` + v + `"`, nil
	}
	return v, nil
}

func (zendesk) count(body []byte) (int64, error) {
	var r struct {
		Count *int64 `json:"count"`
	}
	if json.Unmarshal(body, &r) != nil || r.Count == nil {
		return 0, errShape("count")
	}
	return *r.Count, nil
}
