package opentickets

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/frontline-dev/frontline/internal/ingest/metrics"
	"github.com/frontline-dev/frontline/internal/ingest/routing"
)

// TestCorrectionReplacesGauge runs a correction round the way the binary
// does: the counted queue's gauge becomes the helpdesk's count, the queue
// another source also feeds keeps its event-derived value, is reported
// once, and is neither asked for nor counted as a failed correction.
func TestCorrectionReplacesGauge(t *testing.T) {
	basic := "Basic " + b64("bot@acme.example/token:"+testToken)
	api, u := serveFake(t, header("Authorization", basic), map[string]string{
		// https://developer.zendesk.com/api-reference/ticketing/ticket-management/search/#show-results-count
		"GET /api/v2/search/count query=type:ticket status<solved group:360001": `{"count": 42}`,
	})
	c := plan(t, `
backlog: {mode: single}
sources:
  - name: zd
    vendor: zendesk
    secretFile: /x
    openTickets: {url: URL, email: bot@acme.example, tokenFile: TOKENFILE}
  - {name: relay, vendor: generic, secretFile: /y}
rules:
  - {name: billing, sources: [zd], match: {group: ["360001"]}, target: {namespace: support, queue: billing}}
  - {target: {namespace: support, queue: general}}
`, u, Options{})

	m := metrics.New(true)
	billing := m.Queue(target("billing"))
	general := m.Queue(target("general"))
	for i := 0; i < 5; i++ {
		billing.Created()
		general.Created()
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	c.Report(log, m)
	if !strings.Contains(logs.String(), "queue=support/general reason=no_counter") ||
		!strings.Contains(logs.String(), "source relay (generic) routes tickets here by rules[1] and has no openTickets") {
		t.Fatalf("skipped queue not reported:\n%s", logs.String())
	}
	if v, ok := m.Value("frontline_ingest_backlog_uncorrected", "queue", "general", "reason", ReasonNoCounter); !ok || v != 1 {
		t.Fatalf("uncorrected metric %v %v", v, ok)
	}

	m.Correct(context.Background(), c, log)
	if billing.Backlog() != 42 {
		t.Fatalf("billing backlog %d, want the helpdesk's 42", billing.Backlog())
	}
	if general.Backlog() != 5 {
		t.Fatalf("general backlog %d, want its 5 events", general.Backlog())
	}
	if v, _ := m.Value("frontline_ingest_backlog_corrections_total", "result", "applied"); v != 1 {
		t.Fatalf("applied %v", v)
	}
	if v, ok := m.Value("frontline_ingest_backlog_corrections_total", "result", "failed"); ok && v != 0 {
		t.Fatalf("failed %v", v)
	}
	if n := len(api.requests()); n != 1 {
		t.Fatalf("%d requests in a round, want one per corrected queue", n)
	}
	if _, err := c.OpenTickets(context.Background(), target("general")); !errors.Is(err, metrics.ErrNotCorrected) {
		t.Fatalf("uncovered queue: %v", err)
	}
}

// TestFailedCorrectionKeepsEvents: an answer without the documented count
// fails the queue, which keeps its value.
func TestFailedCorrectionKeepsEvents(t *testing.T) {
	_, u := serveFake(t, func(*http.Request) string { return "" }, map[string]string{
		"GET /api/v2/search/count query=type:ticket status<solved": `{"results": []}`,
	})
	c := plan(t, zendeskCatchAll, u, Options{})
	m := metrics.New(true)
	q := m.Queue(target("general"))
	q.Created()
	m.Correct(context.Background(), c, slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)))
	if q.Backlog() != 1 {
		t.Fatalf("backlog %d", q.Backlog())
	}
	if v, _ := m.Value("frontline_ingest_backlog_corrections_total", "result", "failed"); v != 1 {
		t.Fatalf("failed %v", v)
	}
}

func TestSumsSourcesOfAQueue(t *testing.T) {
	_, zd := serveFake(t, func(*http.Request) string { return "" }, map[string]string{
		"GET /api/v2/search/count query=type:ticket status<solved": `{"count": 10}`,
	})
	_, cw := serveFake(t, func(*http.Request) string { return "" }, map[string]string{
		"GET /api/v1/accounts/1/conversations/meta status=open": `{"meta": {"all_count": 4}}`,
	})
	c := plan(t, strings.ReplaceAll(`
backlog: {mode: single}
sources:
  - name: zd
    vendor: zendesk
    secretFile: /x
    openTickets: {url: URL, email: a@b.example, tokenFile: TOKENFILE}
  - name: cw
    vendor: chatwoot
    secretFile: /y
    openTickets: {url: CW, accountId: 1, tokenFile: TOKENFILE}
rules:
  - {target: {namespace: support, queue: general}}
`, "CW", cw), zd, Options{})
	wantCounts(t, c, map[string]int64{"general": 14})
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestPredicate(t *testing.T) {
	rules := compileRules([]routing.Rule{
		{Name: "billing", Match: routing.Match{Group: []string{"Billing"}}, Target: target("billing")},
		{Name: "vip-billing", Match: routing.Match{Group: []string{"billing"}, Tags: []string{"vip"}}, Target: target("vip")},
		{Name: "sales", Match: routing.Match{Group: []string{"Sales"}, Tags: []string{"vip"}}, Target: target("sales")},
		{Name: "pt", Match: routing.Match{Language: []string{"pt"}}, Target: target("pt")},
		{Name: "pt-br", Match: routing.Match{Language: []string{"pt_BR"}}, Target: target("ptbr")},
		{Name: "inbox", Match: routing.Match{Inbox: []string{"4"}}, Target: target("inbox")},
		{Name: "only-other", Sources: []string{"other"}, Target: target("other")},
		{Name: "rest", Target: target("rest")},
	})
	cases := []struct {
		queue, vendor string
		want          string
	}{
		// billing takes every vip billing ticket first (case ignored).
		{"vip", "zendesk", ""},
		// Disjoint groups need no exclusion.
		{"sales", "zendesk", "rules[2] (sales): group=[Sales] tags=[vip]"},
		// pt takes every Brazilian ticket first.
		{"ptbr", "zendesk", ""},
		// Intercom never sends an inbox: the rule cannot match, and need not be excluded.
		{"inbox", "intercom", ""},
		{"rest", "intercom", "rules[7] (rest): NOT(rules[0] (billing): group=[Billing]) NOT(rules[2] (sales): group=[Sales] tags=[vip])"},
		{"rest", "zendesk", "rules[7] (rest): NOT(rules[0] (billing): group=[Billing]) NOT(rules[2] (sales): group=[Sales] tags=[vip]) NOT(rules[3] (pt): language=[pt]) NOT(rules[5] (inbox): inbox=[4])"},
		{"other", "zendesk", ""},
	}
	for _, c := range cases {
		if got := describePredicate(predicateFor(rules, target(c.queue), "src", c.vendor)); got != c.want {
			t.Errorf("%s/%s:\n got  %s\n want %s", c.queue, c.vendor, got, c.want)
		}
	}
}

func describePredicate(p predicate) string {
	var terms []string
	for _, t := range p.terms {
		s := t.rule.String() + ":"
		for _, c := range t.pos {
			s += " " + c.Field.String() + "=[" + strings.Join(c.Values, ",") + "]"
		}
		for _, n := range t.nots {
			var conds []string
			for _, c := range n.conds {
				conds = append(conds, c.Field.String()+"=["+strings.Join(c.Values, ",")+"]")
			}
			s += " NOT(" + n.rule.String() + ": " + strings.Join(conds, " ") + ")"
		}
		terms = append(terms, s)
	}
	return strings.Join(terms, " OR ")
}

func TestLanguages(t *testing.T) {
	if !languageCovers("pt", "pt_BR") || languageCovers("pt-BR", "pt") || !languageCovers("PT-br", "pt_br") {
		t.Fatal("covers")
	}
	if !languagesOverlap("pt-BR", "pt") || languagesOverlap("pt-BR", "pt-PT") || languagesOverlap("en", "pt") {
		t.Fatal("overlap")
	}
}
