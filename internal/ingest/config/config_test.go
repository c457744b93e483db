package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const validYAML = `
sources:
  - name: zendesk-eu
    vendor: zendesk
    secretFile: /secrets/zendesk-eu
  - name: zammad
    vendor: zammad
    secretFile: /secrets/zammad
    triggerKinds:
      "frontline created": created
      "frontline closed": solved
rules:
  - name: vip
    match: {tags: [vip], channel: [chat]}
    target: {namespace: support, queue: vip-chat}
  - target: {namespace: support, queue: general}
`

func TestParseValid(t *testing.T) {
	c, err := Parse([]byte(validYAML))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sources) != 2 || len(c.Rules) != 2 {
		t.Fatalf("parsed %d sources, %d rules", len(c.Sources), len(c.Rules))
	}
	if c.Rules[0].Match.Tags[0] != "vip" || c.Rules[1].Target.Queue != "general" {
		t.Fatalf("rules not read: %+v", c.Rules)
	}
	if got := c.SourceTolerance(&c.Sources[0]); got != DefaultTolerance {
		t.Fatalf("default tolerance %v", got)
	}
	if c.DedupWindow() != DefaultDedupWindow || c.DedupMaxEntries() != DefaultDedupMaxEntries || c.BodyLimit() != DefaultMaxBodyBytes {
		t.Fatal("defaults not applied")
	}
	if c.BacklogMode() != BacklogDelta {
		t.Fatalf("backlog mode %q", c.BacklogMode())
	}
}

func TestValidationErrors(t *testing.T) {
	src := func(extra string) string {
		return "sources:\n  - name: s1\n    vendor: zendesk\n    secretFile: /x\n" + extra
	}
	rule := "rules:\n  - target: {namespace: support, queue: q}\n"
	cases := []struct {
		name string
		yaml string
		want string
	}{
		{"unknown vendor", "sources:\n  - {name: s1, vendor: zendsk, secretFile: /x}\n" + rule, `sources[0].vendor: unknown vendor "zendsk" (known: chatwoot, freshdesk, generic, intercom, zammad, zendesk)`},
		{"empty secret", "sources:\n  - {name: s1, vendor: zendesk, secretFile: \"\"}\n" + rule, "sources[0].secretFile: missing"},
		{"rule without target", src("rules:\n  - name: r1\n    match: {channel: [chat]}\n"), "rules[0] (r1): rule without target"},
		{"namespace not a DNS-1123 label", src("rules:\n  - target: {namespace: Support_EU, queue: q}\n"), `rules[0].target.namespace "Support_EU": must be a DNS-1123 label`},
		{"queue not a DNS-1123 label", src("rules:\n  - target: {namespace: support, queue: vip.chat}\n"), `rules[0].target.queue "vip.chat": must be a DNS-1123 label`},
		{"queue missing", src("rules:\n  - target: {namespace: support}\n"), `rules[0].target.queue "": must be a DNS-1123 label`},
		{"no rules", src(""), "rules: at least one routing rule is needed"},
		{"no sources", rule, "sources: at least one source is needed"},
		{"duplicate source", "sources:\n  - {name: s1, vendor: zendesk, secretFile: /x}\n  - {name: s1, vendor: intercom, secretFile: /y}\n" + rule, `sources[1].name "s1": used twice`},
		{"source name unfit for a URL", "sources:\n  - {name: Zendesk/EU, vendor: zendesk, secretFile: /x}\n" + rule, `sources[0].name "Zendesk/EU": must be a DNS-1123 label`},
		{"rule names an unknown source", src("rules:\n  - sources: [nope]\n    target: {namespace: a, queue: b}\n"), `rules[0].sources: no source named "nope"`},
		{"bad handle time", "sources:\n  - {name: s1, vendor: zendesk, secretFile: /x, handleTime: reply}\n" + rule, `sources[0].handleTime: "reply"`},
		{"auth on a vendor without choice", "sources:\n  - {name: s1, vendor: zendesk, secretFile: /x, auth: token}\n" + rule, "sources[0].auth: only chatwoot"},
		{"bad chatwoot auth", "sources:\n  - {name: s1, vendor: chatwoot, secretFile: /x, auth: hmac}\n" + rule, `chatwoot auth must be "signature" or "token"`},
		{"trigger kinds outside zammad", "sources:\n  - {name: s1, vendor: zendesk, secretFile: /x, triggerKinds: {a: created}}\n" + rule, "sources[0].triggerKinds: only zammad"},
		{"bad trigger kind", "sources:\n  - {name: s1, vendor: zammad, secretFile: /x, triggerKinds: {a: closed}}\n" + rule, `sources[0].triggerKinds["a"]: "closed" is not`},
		{"negative tolerance", "sources:\n  - {name: s1, vendor: zendesk, secretFile: /x, tolerance: -1m}\n" + rule, "sources[0].tolerance: must not be negative"},
		{"unreadable duration", "tolerance: soon\n" + src(rule), `duration "soon"`},
		{"misspelt field", src(rule) + "dedupe: {window: 1m}\n", `unknown field "dedupe"`},
		{"bad backlog mode", src(rule) + "backlog: {mode: absolute}\n", `backlog.mode: "absolute"`},
		{"correction without single mode", src(rule) + "backlog: {correctionInterval: 5m}\n", "backlog.correctionInterval: a correction replaces the gauge"},
		{"zero dedup window", src(rule) + "dedup: {window: 0s}\n", "dedup.window: must be positive"},
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
		})
	}
}

func TestValidationReportsEveryProblem(t *testing.T) {
	_, err := Parse([]byte("sources:\n  - {name: s1, vendor: nope, secretFile: \"\"}\nrules:\n  - name: r\n"))
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{"unknown vendor", "secretFile: missing", "rule without target"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

func TestLoadReadsSecrets(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "zd")
	cfgPath := filepath.Join(dir, "config.yaml")
	cfg := "sources:\n  - {name: zd, vendor: zendesk, secretFile: " + secret + "}\nrules:\n  - target: {namespace: a, queue: b}\n"
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}

	if _, err := Load(cfgPath); err == nil || !strings.Contains(err.Error(), "sources[0] (zd).secretFile: cannot read secret file") {
		t.Fatalf("missing secret file: %v", err)
	}
	if err := os.WriteFile(secret, []byte("  \n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(cfgPath); err == nil || !strings.Contains(err.Error(), "is empty") {
		t.Fatalf("empty secret file: %v", err)
	}
	if err := os.WriteFile(secret, []byte("s3cret-one\ns3cret-two\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(cfgPath); err != nil {
		t.Fatal(err)
	}
	keys, err := ReadSecret(secret)
	if err != nil || len(keys) != 2 || string(keys[1]) != "s3cret-two" {
		t.Fatalf("keys %q, %v", keys, err)
	}
}

func TestDurationsAndOverrides(t *testing.T) {
	c, err := Parse([]byte(`
tolerance: 2m
maxBodyBytes: 4096
dedup: {window: 30s, maxEntries: 5000}
backlog: {mode: single, correctionInterval: 1m}
sources:
  - {name: a, vendor: generic, secretFile: /x}
  - {name: b, vendor: generic, secretFile: /y, tolerance: 0s}
rules:
  - target: {namespace: n, queue: q}
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.SourceTolerance(&c.Sources[0]) != 2*time.Minute || c.SourceTolerance(&c.Sources[1]) != 0 {
		t.Fatal("tolerance overrides not applied")
	}
	if c.BodyLimit() != 4096 || c.DedupWindow() != 30*time.Second || c.DedupMaxEntries() != 5000 || c.CorrectionInterval() != time.Minute {
		t.Fatalf("overrides not applied: %+v", c)
	}
}
