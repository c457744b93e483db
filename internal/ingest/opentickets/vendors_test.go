package opentickets

import (
	"context"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

func itoa(n int) string { return strconv.Itoa(n) }

func TestZendeskSearchCount(t *testing.T) {
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("bot@acme.example/token:"+testToken))
	api, u := serveFake(t, header("Authorization", basic), map[string]string{
		// Show Results Count answers {"count": N}:
		// https://developer.zendesk.com/api-reference/ticketing/ticket-management/search/#show-results-count
		"GET /api/v2/search/count query=type:ticket status<solved tags:vip": `{"count": 12}`,
		// A group by name, quoted for its space, minus what the vip rule takes
		// (search syntax: https://support.zendesk.com/hc/en-us/articles/4408886879258).
		`GET /api/v2/search/count query=type:ticket status<solved group:"Level 2" -tags:vip`:  `{"count": 7}`,
		`GET /api/v2/search/count query=type:ticket status<solved -tags:vip -group:"Level 2"`: `{"count": 130}`,
	})
	c := plan(t, `
backlog: {mode: single}
sources:
  - name: zd
    vendor: zendesk
    secretFile: /x
    openTickets: {url: URL, email: bot@acme.example, tokenFile: TOKENFILE}
rules:
  - {name: vip, match: {tags: [vip]}, target: {namespace: support, queue: vip}}
  - {name: l2, match: {group: [Level 2]}, target: {namespace: support, queue: level2}}
  - {name: chat, match: {channel: [chat]}, target: {namespace: support, queue: chat}}
  - {name: two, match: {group: [a, b]}, target: {namespace: support, queue: two}}
  - {target: {namespace: support, queue: general}}
`, u, Options{})
	wantSkipped(t, c, map[string][2]string{
		"chat":    {ReasonNotExpressible, "rules[2] (chat): match.channel"},
		"two":     {ReasonNotExpressible, "2 values, and Zendesk search has no OR"},
		"general": {ReasonNotExpressible, "rules[2] (chat): match.channel"},
	})
	// general is skipped because the chat and two rules cannot be left out
	// in one search; without them it is counted (next case).
	wantCounts(t, c, map[string]int64{"vip": 12, "level2": 7})
	if n := len(api.requests()); n != 2 {
		t.Fatalf("%d requests, want one per corrected queue", n)
	}

	c = plan(t, `
backlog: {mode: single}
sources:
  - name: zd
    vendor: zendesk
    secretFile: /x
    openTickets: {url: URL, email: bot@acme.example, tokenFile: TOKENFILE}
rules:
  - {name: vip, match: {tags: [vip]}, target: {namespace: support, queue: vip}}
  - {name: l2, match: {group: [Level 2]}, target: {namespace: support, queue: level2}}
  - {target: {namespace: support, queue: general}}
`, u, Options{})
	wantSkipped(t, c, nil)
	wantCounts(t, c, map[string]int64{"vip": 12, "level2": 7, "general": 130})

	c = plan(t, `
backlog: {mode: single}
sources:
  - name: zd
    vendor: zendesk
    secretFile: /x
    openTickets: {url: URL, email: bot@acme.example, tokenFile: TOKENFILE}
rules:
  - {name: gx, match: {group: [x], tags: [y, z]}, target: {namespace: support, queue: gx}}
  - {target: {namespace: support, queue: general}}
`, u, Options{})
	wantSkipped(t, c, map[string][2]string{
		"gx":      {ReasonNotExpressible, "2 tags"},
		"general": {ReasonNotExpressible, "can only negate single terms"},
	})
}

func TestFreshdeskFilterTickets(t *testing.T) {
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(testToken+":X"))
	// Filter Tickets answers {"total": N, "results": [first 30 tickets]}:
	// https://developers.freshdesk.com/api/#filter_tickets
	page := func(total int) string {
		return `{"results": [{"cc_emails": [], "fwd_emails": [], "reply_cc_emails": [],
		  "fr_escalated": false, "spam": false, "email_config_id": null, "group_id": 11,
		  "priority": 1, "requester_id": 2040, "responder_id": null, "source": 2,
		  "status": 2, "subject": "Cannot log in", "to_emails": null, "product_id": null,
		  "id": 158, "type": null, "due_by": "2026-01-03T10:00:00Z",
		  "fr_due_by": "2026-01-02T10:00:00Z", "is_escalated": false,
		  "custom_fields": {}, "created_at": "2026-01-01T10:00:00Z",
		  "updated_at": "2026-01-01T10:05:00Z", "tags": ["vip"]}],
		  "total": ` + itoa(total) + `}`
	}
	// The query value is quoted and URL-encoded, spaces as %20, as in the
	// documentation's examples.
	auth := func(r *http.Request) string {
		if !strings.HasPrefix(r.URL.RawQuery, "query=%22") || strings.Contains(r.URL.RawQuery, "+") {
			return "query not encoded as documented: " + r.URL.RawQuery
		}
		return header("Authorization", basic)(r)
	}
	api, u := serveFake(t, auth, map[string]string{
		`GET /api/v2/search/tickets query="(status:2 OR status:3) AND group_id:11"`:                              page(49),
		`GET /api/v2/search/tickets query="(status:2 OR status:3 OR status:6) AND (group_id:12 OR group_id:13)"`: page(3),
		`GET /api/v2/search/tickets query="(status:2 OR status:3) AND group_id:12 AND tag:'vip'"`:                page(1),
	})
	c := plan(t, `
backlog: {mode: single}
sources:
  - name: fd
    vendor: freshdesk
    secretFile: /x
    openTickets:
      url: URL
      tokenFile: TOKENFILE
      groupIds: {Billing: 11, Sales: "12", presales: 13}
rules:
  - {name: billing, match: {group: [billing]}, target: {namespace: support, queue: billing}}
  - {name: sales, match: {group: [Sales, Presales]}, target: {namespace: support, queue: sales}}
  - {target: {namespace: support, queue: general}}
`, u, Options{})
	wantSkipped(t, c, map[string][2]string{"general": {ReasonNotExpressible, "Freshdesk's filter query has no NOT"}})
	// statuses are per source; this plan uses the default 2 and 3, so the
	// sales request above (with 6) is for the next plan.
	got, err := c.OpenTickets(context.Background(), target("billing"))
	if err != nil || got != 49 {
		t.Fatalf("billing: %d, %v", got, err)
	}

	c = plan(t, `
backlog: {mode: single}
sources:
  - name: fd
    vendor: freshdesk
    secretFile: /x
    openTickets:
      url: URL
      tokenFile: TOKENFILE
      groupIds: {Sales: 12, Presales: 13}
      statuses: [2, 3, 6]
rules:
  - {name: sales, match: {group: [Sales, Presales]}, target: {namespace: support, queue: sales}}
  - {name: nope, match: {channel: [phone]}, target: {namespace: support, queue: phone}}
  - {name: unmapped, match: {group: [Marketing]}, target: {namespace: support, queue: marketing}}
`, u, Options{})
	wantSkipped(t, c, map[string][2]string{
		"phone":     {ReasonNotExpressible, "not a field Freshdesk's filter query offers"},
		"marketing": {ReasonNotExpressible, `map "Marketing" in openTickets.groupIds`},
	})
	wantCounts(t, c, map[string]int64{"sales": 3})

	c = plan(t, `
backlog: {mode: single}
sources:
  - name: fd
    vendor: freshdesk
    secretFile: /x
    openTickets: {url: URL, tokenFile: TOKENFILE}
rules:
  - {name: vip, match: {group: ["12"], tags: [vip]}, target: {namespace: support, queue: vip}}
`, u, Options{})
	wantCounts(t, c, map[string]int64{"vip": 1})
	for _, r := range api.requests() {
		if !strings.HasPrefix(r, "GET /api/v2/search/tickets") {
			t.Fatalf("request %s", r)
		}
	}
}

func TestIntercomSearchConversations(t *testing.T) {
	auth := func(r *http.Request) string {
		if bad := header("Authorization", "Bearer "+testToken)(r); bad != "" {
			return bad
		}
		if bad := header("Intercom-Version", "2.11")(r); bad != "" {
			return bad
		}
		return header("Content-Type", "application/json")(r)
	}
	// Search conversations answers a conversation.list with total_count
	// (example from the 2.11 reference):
	// https://developers.intercom.com/docs/references/2.11/rest-api/api.intercom.io/conversations/searchconversations
	list := func(total int) string {
		return `{"type": "conversation.list",
		  "pages": {"type": "pages", "page": 1, "per_page": 1, "total_pages": ` + itoa(total) + `},
		  "total_count": ` + itoa(total) + `,
		  "conversations": [{"type": "conversation", "id": "378", "created_at": 1719492843,
		    "updated_at": 1719492843, "waiting_since": null, "snoozed_until": null,
		    "source": {"type": "conversation", "id": "403918266", "delivered_as": "customer_initiated",
		      "subject": "", "body": "<p>help</p>", "author": {"type": "user", "id": "667d60ea8a68186f43bafdec"},
		      "attachments": [], "url": null, "redacted": false},
		    "admin_assignee_id": null, "team_assignee_id": 5017691, "open": true, "state": "open",
		    "read": false, "tags": {"type": "tag.list", "tags": []}, "priority": "not_priority"}]}`
	}
	state := `{"field":"state","operator":"!=","value":"closed"}`
	api, u := serveFake(t, auth, map[string]string{
		`POST /conversations/search {"pagination":{"per_page":1},"query":{"operator":"AND","value":[` +
			state + `,{"field":"team_assignee_id","operator":"=","value":5017691}]}}`: list(21),
		`POST /conversations/search {"pagination":{"per_page":1},"query":{"operator":"AND","value":[` +
			state + `,{"field":"source.type","operator":"=","value":"email"},{"field":"tag_ids","operator":"=","value":"7"},` +
			`{"field":"team_assignee_id","operator":"!=","value":5017691}]}}`: list(4),
		`POST /conversations/search {"pagination":{"per_page":1},"query":{"operator":"AND","value":[` +
			state + `,{"field":"team_assignee_id","operator":"!=","value":5017691},` +
			`{"operator":"OR","value":[{"field":"source.type","operator":"!=","value":"email"},{"field":"tag_ids","operator":"!=","value":"7"}]},` +
			`{"field":"source.type","operator":"NIN","value":["conversation","whatsapp"]}]}}`: list(300),
		`POST /conversations/search {"pagination":{"per_page":1},"query":{"operator":"AND","value":[` +
			state + `,{"field":"source.type","operator":"IN","value":["conversation","whatsapp"]},` +
			`{"field":"team_assignee_id","operator":"!=","value":5017691}]}}`: list(9),
	})
	c := plan(t, `
backlog: {mode: single}
sources:
  - name: ic
    vendor: intercom
    secretFile: /x
    openTickets: {url: URL, tokenFile: TOKENFILE, tagIds: {VIP: 7}}
rules:
  - {name: billing, match: {group: ["5017691"]}, target: {namespace: support, queue: billing}}
  - {name: vip-mail, match: {channel: [email], tags: [vip]}, target: {namespace: support, queue: vip-mail}}
  - {name: by-name, match: {group: [Billing]}, target: {namespace: support, queue: by-name}}
  - {name: eu, match: {brand: [eu]}, target: {namespace: support, queue: eu}}
  - {target: {namespace: support, queue: general}}
`, u, Options{})
	wantSkipped(t, c, map[string][2]string{
		"by-name": {ReasonNotExpressible, `team_assignee_id, a number, not "Billing"`},
		// Intercom never sends a brand, so no Intercom ticket can reach eu.
		"eu": {ReasonUnreachable, "no source's tickets can reach this queue"},
		// by-name matches what general would take, and cannot be expressed.
		"general": {ReasonNotExpressible, "rules[2] (by-name)"},
	})
	wantCounts(t, c, map[string]int64{"billing": 21, "vip-mail": 4})

	c = plan(t, `
backlog: {mode: single}
sources:
  - name: ic
    vendor: intercom
    secretFile: /x
    openTickets: {url: URL, tokenFile: TOKENFILE, tagIds: {vip: "7"}}
rules:
  - {name: billing, match: {group: ["5017691"]}, target: {namespace: support, queue: billing}}
  - {name: vip-mail, match: {channel: [email], tags: [vip]}, target: {namespace: support, queue: vip-mail}}
  - {name: chat, match: {channel: [chat, WhatsApp]}, target: {namespace: support, queue: chat}}
  - {target: {namespace: support, queue: general}}
`, u, Options{})
	wantSkipped(t, c, nil)
	wantCounts(t, c, map[string]int64{"billing": 21, "vip-mail": 4, "general": 300, "chat": 9})
	if len(api.requests()) != 2+4 {
		t.Fatalf("requests: %v", api.requests())
	}
}

func TestZammadTicketSearchTotal(t *testing.T) {
	states := `state.name:("new" OR "open" OR "pending reminder" OR "pending close")`
	api, u := serveFake(t, header("Authorization", "Token token="+testToken), map[string]string{
		`GET /api/v1/tickets/search only_total_count=true&query=` + states + ` AND group_id:3`: `{"total_count": 17}`,
		`GET /api/v1/tickets/search only_total_count=true&query=` + states +
			` AND create_article_type.name:"email" AND tags:"vip" AND NOT (group_id:3)`: `{"total_count": 2}`,
		`GET /api/v1/tickets/search only_total_count=true&query=` + states +
			` AND NOT (group_id:3) AND NOT (create_article_type.name:"email" AND tags:"vip")`: `{"total_count": 40}`,
		`GET /api/v1/tickets/search only_total_count=true&query=state.name:("open") AND (organization.name:"Acme \"Q\" Inc" OR (group.name:"Sales EU" AND tags:"vip"))`: `{"total_count": 5}`,
		// Zammad before 6.5 ignores only_total_count and answers the list.
		`GET /api/v1/tickets/search only_total_count=true&query=state.name:("open") AND group.name:"Old" AND NOT (organization.name:"Acme \"Q\" Inc")`: `[{"id": 1, "title": "Welcome to Zammad!"}]`,
	})
	c := plan(t, `
backlog: {mode: single}
sources:
  - name: zm
    vendor: zammad
    secretFile: /x
    openTickets: {url: URL, tokenFile: TOKENFILE, groupIds: {Billing: 3}}
rules:
  - {name: billing, match: {group: [Billing]}, target: {namespace: support, queue: billing}}
  - {name: vip, match: {channel: [email], tags: [vip]}, target: {namespace: support, queue: vip}}
  - {target: {namespace: support, queue: general}}
  - {name: never, match: {inbox: ["1"]}, target: {namespace: support, queue: inbox}}
`, u, Options{})
	wantSkipped(t, c, map[string][2]string{"inbox": {ReasonUnreachable, "can reach"}})
	wantCounts(t, c, map[string]int64{"billing": 17, "vip": 2, "general": 40})

	c = plan(t, `
backlog: {mode: single}
sources:
  - name: zm
    vendor: zammad
    secretFile: /x
    openTickets: {url: URL, tokenFile: TOKENFILE, states: [open]}
rules:
  - {name: key, match: {brand: ['Acme "Q" Inc']}, target: {namespace: support, queue: key}}
  - {name: key-vip, match: {group: [Sales EU], tags: [vip]}, target: {namespace: support, queue: key}}
  - {name: old, match: {group: [Old]}, target: {namespace: support, queue: old}}
`, u, Options{})
	got, err := c.OpenTickets(context.Background(), target("key"))
	if err != nil || got != 5 {
		t.Fatalf("key: %d, %v", got, err)
	}
	_, err = c.OpenTickets(context.Background(), target("old"))
	if err == nil || !strings.Contains(err.Error(), "Zammad 6.5") {
		t.Fatalf("a ticket list instead of a total: %v", err)
	}
	if n := len(api.requests()); n != 5 {
		t.Fatalf("%d requests", n)
	}
}

func TestChatwootConversationCounts(t *testing.T) {
	// Get Conversation Counts answers {"meta": {…, "all_count": N}}:
	// https://developers.chatwoot.com/api-reference/conversations/get-conversation-counts
	// (swagger/paths/application/conversation/meta.yml)
	meta := func(all int) string {
		return `{"meta": {"mine_count": 0, "unassigned_count": 1, "assigned_count": ` + itoa(all-1) + `, "all_count": ` + itoa(all) + `}}`
	}
	api, u := serveFake(t, header("api_access_token", testToken), map[string]string{
		"GET /api/v1/accounts/7/conversations/meta inbox_id=3&status=open":                        meta(8),
		"GET /api/v1/accounts/7/conversations/meta inbox_id=5&labels[]=vip&status=open&team_id=2": meta(3),
	})
	c := plan(t, `
backlog: {mode: single}
sources:
  - name: cw
    vendor: chatwoot
    secretFile: /x
    openTickets: {url: URL, tokenFile: TOKENFILE, accountId: 7, groupIds: {Billing: 2}}
rules:
  - {name: web, match: {inbox: ["3"]}, target: {namespace: support, queue: web}}
  - {name: vip, match: {inbox: ["5"], group: [Billing], tags: [vip]}, target: {namespace: support, queue: vip}}
  - {name: two-labels, match: {inbox: ["6"], tags: [a, b]}, target: {namespace: support, queue: two}}
  - {name: lang, match: {language: [ko]}, target: {namespace: support, queue: ko}}
  - {target: {namespace: support, queue: general}}
`, u, Options{})
	wantSkipped(t, c, map[string][2]string{
		"two":     {ReasonNotExpressible, "matches any of them where routing needs all"},
		"ko":      {ReasonNotExpressible, "no language filter"},
		"general": {ReasonNotExpressible, "Chatwoot's count has no NOT"},
	})
	wantCounts(t, c, map[string]int64{"web": 8, "vip": 3})
	if n := len(api.requests()); n != 2 {
		t.Fatalf("requests %v", api.requests())
	}
}
