package opentickets

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// intercom counts with Search conversations:
//
//	POST /conversations/search
//	{"query": {"operator": "AND", "value": [
//	    {"field": "state", "operator": "!=", "value": "closed"},
//	    {"field": "team_assignee_id", "operator": "=", "value": 5017691}]},
//	 "pagination": {"per_page": 1}}
//	→ {"type": "conversation.list", "total_count": N, ...}
//
// https://developers.intercom.com/docs/references/2.11/rest-api/api.intercom.io/conversations/searchconversations
// (fields state, team_assignee_id (integer), tag_ids (= and != only),
// source.type; AND/OR nested at most 2 deep, 15 filters per group.)
// "state != closed" counts open and snoozed conversations: the webhook
// backlog only drops on conversation.admin.closed.
// Auth: "Authorization: Bearer <access token>", Intercom-Version header:
// https://developers.intercom.com/docs/build-an-integration/learn-more/authentication
//
// Routing's group is team_assignee_id (a number) and tags are names, which
// search knows only by id (tagIds maps them).
type intercom struct{ tagIDs idMap }

// intercomVersion is the API version the request shape is taken from.
const intercomVersion = "2.11"

// Intercom's search limits: nesting depth and filters per group.
const (
	intercomMaxDepth = 2
	intercomMaxGroup = 15
)

// intercomSourceTypes are the documented source.type values; the webhook
// adapter names "conversation" (Messenger) "chat".
var intercomSourceTypes = []string{"conversation", "email", "facebook", "instagram", "phone_call", "phone_switch", "push", "sms", "twitter", "whatsapp"}

// icFilter is a single filter or, with Value holding []icFilter, a group.
type icFilter struct {
	Field    string `json:"field,omitempty"`
	Operator string `json:"operator"`
	Value    any    `json:"value"`
}

func (intercom) auth(h http.Header, token string) []string {
	h.Set("Authorization", "Bearer "+token)
	return nil
}

func (intercom) headers() map[string]string {
	return map[string]string{"Intercom-Version": intercomVersion}
}

func (ic intercom) build(p predicate) (apiRequest, error) {
	state := icFilter{Field: "state", Operator: "!=", Value: "closed"}
	var groups []icFilter
	for _, t := range p.terms {
		items := []icFilter{state}
		for _, c := range t.pos {
			f, err := ic.filter(t.rule, c, false)
			if err != nil {
				return apiRequest{}, err
			}
			items = append(items, f)
		}
		for _, n := range t.nots {
			var alts []icFilter
			for _, c := range n.conds {
				f, err := ic.filter(n.rule, c, true)
				if err != nil {
					return apiRequest{}, err
				}
				alts = append(alts, f)
			}
			items = append(items, orGroup(alts))
		}
		groups = append(groups, andGroup(items))
	}
	root := orGroup(groups)
	if d := depth(root); d > intercomMaxDepth {
		return apiRequest{}, fmt.Errorf("counting %s needs filters nested %d deep, and Intercom search allows %d", p.rules(), d, intercomMaxDepth)
	}
	if n := widest(root); n > intercomMaxGroup {
		return apiRequest{}, fmt.Errorf("counting %s needs %d filters in one group, and Intercom search allows %d", p.rules(), n, intercomMaxGroup)
	}
	body, err := json.Marshal(map[string]any{"query": root, "pagination": map[string]int{"per_page": 1}})
	if err != nil {
		return apiRequest{}, err
	}
	return apiRequest{method: http.MethodPost, path: "/conversations/search", body: body}, nil
}

// filter is one condition (or, negated, its opposite) as a search filter.
func (ic intercom) filter(r ruleRef, c cond, negate bool) (icFilter, error) {
	var field string
	var values []any
	for _, v := range c.Values {
		switch c.Field {
		case FieldGroup:
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return icFilter{}, cannot(r, c.Field, "routing's group is Intercom's team_assignee_id, a number, not %q", v)
			}
			field = "team_assignee_id"
			values = append(values, id)
		case FieldChannel:
			st, ok := intercomSourceType(v)
			if !ok {
				return icFilter{}, cannot(r, c.Field, "%q is not an Intercom source type (chat, %s)", v, strings.Join(intercomSourceTypes[1:], ", "))
			}
			field = "source.type"
			values = append(values, st)
		case FieldTag:
			id, ok := ic.tagIDs[strings.ToLower(v)]
			if !ok {
				return icFilter{}, cannot(r, c.Field, "Intercom searches tags by id; map %q in openTickets.tagIds", v)
			}
			field = "tag_ids"
			values = append(values, id)
		default:
			return icFilter{}, cannot(r, c.Field, "Intercom conversations have no %s Frontline can search", c.Field)
		}
	}
	switch {
	case len(values) == 1 && negate:
		return icFilter{Field: field, Operator: "!=", Value: values[0]}, nil
	case len(values) == 1:
		return icFilter{Field: field, Operator: "=", Value: values[0]}, nil
	case negate:
		return icFilter{Field: field, Operator: "NIN", Value: values}, nil
	}
	return icFilter{Field: field, Operator: "IN", Value: values}, nil
}

func intercomSourceType(channel string) (string, bool) {
	c := strings.ToLower(channel)
	if c == "chat" {
		return "conversation", true
	}
	if c == "conversation" {
		return "", false // the adapter never routes on this name
	}
	for _, t := range intercomSourceTypes {
		if t == c {
			return t, true
		}
	}
	return "", false
}

// andGroup and orGroup collapse a group of one.
func andGroup(items []icFilter) icFilter { return group("AND", items) }
func orGroup(items []icFilter) icFilter  { return group("OR", items) }

func group(op string, items []icFilter) icFilter {
	if len(items) == 1 {
		return items[0]
	}
	return icFilter{Operator: op, Value: items}
}

func depth(f icFilter) int {
	items, ok := f.Value.([]icFilter)
	if !ok {
		return 0
	}
	d := 0
	for _, it := range items {
		d = max(d, depth(it))
	}
	return d + 1
}

func widest(f icFilter) int {
	items, ok := f.Value.([]icFilter)
	if !ok {
		return 0
	}
	n := len(items)
	for _, it := range items {
		n = max(n, widest(it))
	}
	return n
}

func (intercom) count(body []byte) (int64, error) {
	var r struct {
		TotalCount *int64 `json:"total_count"`
	}
	if json.Unmarshal(body, &r) != nil || r.TotalCount == nil {
		return 0, errShape("total_count")
	}
	return *r.TotalCount, nil
}
