package routing

import (
	"testing"

	"github.com/frontline-dev/frontline/internal/ingest/event"
)

func TestRoute(t *testing.T) {
	rules := []Rule{
		{Name: "vip-ko-chat", Match: Match{Channel: []string{"chat"}, Language: []string{"ko"}, Tags: []string{"vip", "paid"}}, Target: Target{"support", "vip-ko"}},
		{Name: "billing", Match: Match{Group: []string{"Billing", "Invoices"}}, Target: Target{"support", "billing"}},
		{Name: "eu-brand-only-from-zd", Sources: []string{"zd-eu"}, Match: Match{Brand: []string{"acme-eu"}}, Target: Target{"support-eu", "general"}},
		{Name: "pt-br", Match: Match{Language: []string{"pt-BR"}}, Target: Target{"support", "pt-br"}},
		{Name: "inbox-7", Match: Match{Inbox: []string{"7"}}, Target: Target{"support", "inbox-7"}},
	}
	table := NewTable(rules)
	cases := []struct {
		name   string
		source string
		attrs  event.Attributes
		want   string // rule name, "" = unrouted
	}{
		{"all fields of the first rule", "ic", event.Attributes{Channel: "CHAT", Language: "ko-KR", Tags: []string{"paid", "VIP", "x"}}, "vip-ko-chat"},
		{"one tag missing falls through", "ic", event.Attributes{Channel: "chat", Language: "ko", Tags: []string{"vip"}}, ""},
		{"first match wins over a later match", "ic", event.Attributes{Channel: "chat", Language: "ko", Tags: []string{"vip", "paid"}, Group: "billing"}, "vip-ko-chat"},
		{"group alternatives, case-insensitive", "ic", event.Attributes{Group: "invoices"}, "billing"},
		{"source-limited rule, right source", "zd-eu", event.Attributes{Brand: "ACME-EU"}, "eu-brand-only-from-zd"},
		{"source-limited rule, other source", "zd-us", event.Attributes{Brand: "acme-eu"}, ""},
		{"regioned rule needs the region", "ic", event.Attributes{Language: "pt_br"}, "pt-br"},
		{"regioned rule rejects another region", "ic", event.Attributes{Language: "pt-PT"}, ""},
		{"primary-only rule rejects a bare prefix of another language", "ic", event.Attributes{Channel: "chat", Language: "kok", Tags: []string{"vip", "paid"}}, ""},
		{"empty attribute never matches a listed value", "ic", event.Attributes{}, ""},
		{"inbox id", "cw", event.Attributes{Inbox: "7"}, "inbox-7"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			i, ok := table.Route(c.source, &c.attrs)
			got := ""
			if ok {
				got = rules[i].Name
			}
			if got != c.want {
				t.Fatalf("routed to %q, want %q", got, c.want)
			}
		})
	}
}

func TestCatchAll(t *testing.T) {
	table := NewTable([]Rule{
		{Name: "chat", Match: Match{Channel: []string{"chat"}}, Target: Target{"a", "chat"}},
		{Name: "rest", Target: Target{"a", "rest"}},
	})
	i, ok := table.Route("s", &event.Attributes{Channel: "email"})
	if !ok || table.Rules()[i].Name != "rest" {
		t.Fatalf("catch-all not used: %v %v", i, ok)
	}
}
