package opentickets

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// chatwoot counts with Get Conversation Counts:
//
//	GET /api/v1/accounts/{account_id}/conversations/meta?status=open&inbox_id=3&team_id=2&labels[]=vip
//	→ {"meta": {"mine_count": …, "unassigned_count": …, "assigned_count": …, "all_count": N}}
//
// https://developers.chatwoot.com/api-reference/conversations/get-conversation-counts
// (swagger/paths/application/conversation/meta.yml in chatwoot/chatwoot;
// status is one of open, resolved, pending, snoozed; labels match any of
// the labels given, per ConversationFinder#filter_by_labels.)
// Auth: the user's access token in the api_access_token header:
// https://developers.chatwoot.com/api-reference/introduction
//
// One status per request: the count is "open" conversations; pending (bot)
// and snoozed ones are not in it. Without inbox_id Chatwoot counts the
// inboxes the token's user is a member of, so use an administrator's token.
// There is no NOT and no OR across fields, and only one label: a label
// list means any of them, where routing needs all.
type chatwoot struct {
	accountID int64
	groupIDs  idMap
}

func (chatwoot) auth(h http.Header, token string) []string {
	h.Set("api_access_token", token)
	return nil
}

func (chatwoot) headers() map[string]string { return nil }

func (cw chatwoot) build(p predicate) (apiRequest, error) {
	if len(p.terms) != 1 {
		return apiRequest{}, fmt.Errorf("%d rules route conversations here (%s), and Chatwoot's count has no OR", len(p.terms), p.rules())
	}
	t := p.terms[0]
	q := url.Values{"status": {"open"}}
	for _, c := range t.pos {
		if len(c.Values) != 1 {
			return apiRequest{}, cannot(t.rule, c.Field, "%d values, and Chatwoot's count takes one", len(c.Values))
		}
		v := c.Values[0]
		switch c.Field {
		case FieldInbox:
			if !isDigits(v) {
				return apiRequest{}, cannot(t.rule, c.Field, "routing's inbox is Chatwoot's inbox_id, a number, not %q", v)
			}
			q.Set("inbox_id", v)
		case FieldGroup:
			id, ok := cw.groupIDs.id(v)
			if !ok {
				return apiRequest{}, cannot(t.rule, c.Field, "routing's group is the team name, and Chatwoot counts by team_id; map %q in openTickets.groupIds", v)
			}
			q.Set("team_id", id)
		case FieldTag:
			if q.Has("labels[]") {
				return apiRequest{}, cannot(t.rule, c.Field, "several labels, and Chatwoot's count matches any of them where routing needs all")
			}
			if strings.TrimSpace(v) == "" {
				return apiRequest{}, cannot(t.rule, c.Field, "an empty label cannot be counted")
			}
			q.Set("labels[]", v)
		default:
			return apiRequest{}, cannot(t.rule, c.Field, "Chatwoot's count has no %s filter", c.Field)
		}
	}
	if len(t.nots) > 0 {
		return apiRequest{}, cannotExclude(t, t.nots[0], "Chatwoot's count has no NOT")
	}
	return apiRequest{method: http.MethodGet, path: fmt.Sprintf("/api/v1/accounts/%d/conversations/meta", cw.accountID), query: q}, nil
}

func (chatwoot) count(body []byte) (int64, error) {
	var r struct {
		Meta *struct {
			AllCount *int64 `json:"all_count"`
		} `json:"meta"`
	}
	if json.Unmarshal(body, &r) != nil || r.Meta == nil || r.Meta.AllCount == nil {
		return 0, errShape("meta.all_count")
	}
	return *r.Meta.AllCount, nil
}
