package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestOpenTicketsParse(t *testing.T) {
	c, err := Parse([]byte(`
backlog: {mode: single, correctionInterval: 2m}
sources:
  - name: zd
    vendor: zendesk
    secretFile: /s/zd
    openTickets: {url: "https://acme.zendesk.com", email: bot@acme.example, tokenFile: /t/zd, timeout: 5s}
  - name: fd
    vendor: freshdesk
    secretFile: /s/fd
    openTickets:
      url: https://acme.freshdesk.com/
      tokenFile: /t/fd
      groupIds: {Billing: 8447388090238, Sales: "12"}
      statuses: [2, 3, 7]
rules:
  - target: {namespace: support, queue: general}
`))
	if err != nil {
		t.Fatal(err)
	}
	if !c.HasOpenTickets() {
		t.Fatal("HasOpenTickets")
	}
	fd := c.Sources[1].OpenTickets
	if fd.GroupIDs["Billing"] != "8447388090238" || fd.GroupIDs["Sales"] != "12" || len(fd.Statuses) != 3 {
		t.Fatalf("freshdesk settings %+v", fd)
	}
	if c.Sources[0].OpenTickets.RequestTimeout() != 5*time.Second || fd.RequestTimeout() != DefaultOpenTicketsTimeout {
		t.Fatal("timeouts")
	}
}

func TestOpenTicketsValidation(t *testing.T) {
	single := "backlog: {mode: single}\nrules:\n  - target: {namespace: support, queue: q}\n"
	src := func(vendor, ot string) string {
		return "sources:\n  - name: s1\n    vendor: " + vendor + "\n    secretFile: /x\n    openTickets: " + ot + "\n"
	}
	cases := []struct {
		name, yaml, want string
	}{
		{"generic has no count", src("generic", "{url: https://x.example, tokenFile: /t}") + single,
			`sources[0].openTickets: vendor "generic" has no open-ticket count (openTickets works with: chatwoot, freshdesk, intercom, zammad, zendesk)`},
		{"missing url", src("intercom", "{tokenFile: /t}") + single, "sources[0].openTickets.url: missing"},
		{"missing token file", src("intercom", "{url: https://api.intercom.io}") + single,
			"sources[0].openTickets.tokenFile: missing; the API credential is read from a file, never written in the config"},
		{"inline credential in url", src("intercom", "{url: \"https://me:hunter2@api.intercom.io\", tokenFile: /t}") + single,
			"sources[0].openTickets.url: must not carry credentials"},
		{"not http", src("intercom", "{url: \"ftp://api.intercom.io\", tokenFile: /t}") + single, "must be https://"},
		{"query in url", src("intercom", "{url: \"https://api.intercom.io/?x=1\", tokenFile: /t}") + single, "must not have a query"},
		{"zendesk without email", src("zendesk", "{url: https://acme.zendesk.com, tokenFile: /t}") + single,
			"sources[0].openTickets.email: missing; Zendesk API tokens authenticate as {email}/token"},
		{"chatwoot without account", src("chatwoot", "{url: https://app.chatwoot.com, tokenFile: /t}") + single,
			"sources[0].openTickets.accountId: missing"},
		{"setting of another vendor", src("intercom", "{url: https://api.intercom.io, tokenFile: /t, email: a@b.c, statuses: [2]}") + single,
			"sources[0].openTickets.email: not used by intercom"},
		{"bad freshdesk status", src("freshdesk", "{url: https://a.freshdesk.com, tokenFile: /t, statuses: [4, 1]}") + single,
			"statuses: 1 is not an unsolved Freshdesk status"},
		{"bad id", src("freshdesk", "{url: https://a.freshdesk.com, tokenFile: /t, groupIds: {a: 1.5}}") + single,
			`sources[0].openTickets.groupIds["a"]: "1.5" is not a numeric id`},
		{"timeout too long", src("zammad", "{url: https://z.example, tokenFile: /t, timeout: 5m}") + single,
			"sources[0].openTickets.timeout: must be positive and at most 1m0s"},
		{"delta mode", src("zammad", "{url: https://z.example, tokenFile: /t}") + "rules:\n  - target: {namespace: support, queue: q}\n",
			`sources[0].openTickets: a correction replaces frontline_queue_backlog with the helpdesk's count, so it needs backlog.mode "single"`},
		{"interval too short", src("zammad", "{url: https://z.example, tokenFile: /t}") +
			"backlog: {mode: single, correctionInterval: 10s}\nrules:\n  - target: {namespace: support, queue: q}\n",
			"backlog.correctionInterval: at least 30s with openTickets"},
		{"misspelt field", src("zammad", "{url: https://z.example, tokenFile: /t, token: abc}") + single, `unknown field "token"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.yaml))
			if err == nil {
				t.Fatalf("accepted:\n%s", c.yaml)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q\nwant it to contain %q", err, c.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("error echoes the credential: %v", err)
			}
		})
	}
}

func TestLoadReadsTokenFile(t *testing.T) {
	dir := t.TempDir()
	secret, token, cfgPath := filepath.Join(dir, "secret"), filepath.Join(dir, "token"), filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(secret, []byte("s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := "backlog: {mode: single}\nsources:\n  - name: ic\n    vendor: intercom\n    secretFile: " + secret +
		"\n    openTickets: {url: https://api.intercom.io, tokenFile: " + token + "}\nrules:\n  - target: {namespace: a, queue: b}\n"
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(cfgPath); err == nil || !strings.Contains(err.Error(), "sources[0] (ic).openTickets.tokenFile: cannot read secret file") {
		t.Fatalf("missing token file: %v", err)
	}
	if err := os.WriteFile(token, []byte("\n  tok-123  \nignored\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(cfgPath); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadToken(token); err != nil || got != "tok-123" {
		t.Fatalf("token %q, %v", got, err)
	}
}
