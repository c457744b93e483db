package config

import (
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/frontline-dev/frontline/internal/ingest/adapter"
	"github.com/frontline-dev/frontline/internal/ingest/event"
)

// Validate reports every problem at once, each with its path in the file.
func (c *Config) Validate() error {
	var p problems
	names := c.validateSources(&p)
	c.validateRules(&p, names)
	c.validateTuning(&p)
	c.validateOpenTickets(&p)
	return errors.Join(p...)
}

// problems collects validation errors.
type problems []error

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Errorf(format, args...)) }

// validateSources checks each source and returns the set of names.
func (c *Config) validateSources(p *problems) map[string]bool {
	bad := p.add
	if len(c.Sources) == 0 {
		bad("sources: at least one source is needed")
	}
	names := map[string]bool{}
	for i := range c.Sources {
		s := &c.Sources[i]
		at := fmt.Sprintf("sources[%d]", i)
		switch {
		case s.Name == "":
			bad("%s.name: missing", at)
		case len(validation.IsDNS1123Label(s.Name)) > 0:
			bad("%s.name %q: must be a DNS-1123 label (it is the URL path /webhooks/%s): %s", at, s.Name, s.Name, strings.Join(validation.IsDNS1123Label(s.Name), "; "))
		case names[s.Name]:
			bad("%s.name %q: used twice", at, s.Name)
		}
		names[s.Name] = true
		if !adapter.Known(s.Vendor) {
			bad("%s.vendor: unknown vendor %q (known: %s)", at, s.Vendor, strings.Join(adapter.Vendors(), ", "))
		}
		if strings.TrimSpace(s.SecretFile) == "" {
			bad("%s.secretFile: missing; every source needs a secret", at)
		}
		if s.Tolerance != nil && s.Tolerance.Duration < 0 {
			bad("%s.tolerance: must not be negative", at)
		}
		switch s.HandleTime {
		case "", HandleSolved, HandleFirstReply:
		default:
			bad("%s.handleTime: %q is neither %q nor %q", at, s.HandleTime, HandleSolved, HandleFirstReply)
		}
		if s.Auth != "" && s.Vendor != "chatwoot" {
			bad("%s.auth: only chatwoot sources choose their auth", at)
		}
		if s.BasicAuthUser != "" && s.Vendor != "freshdesk" {
			bad("%s.basicAuthUser: only freshdesk sources use basic auth", at)
		}
		if len(s.TriggerKinds) > 0 && s.Vendor != "zammad" {
			bad("%s.triggerKinds: only zammad sources map triggers", at)
		}
		for trigger, kind := range s.TriggerKinds {
			if event.ParseKind(kind) == event.KindUnknown {
				bad("%s.triggerKinds[%q]: %q is not created, first_reply or solved", at, trigger, kind)
			}
		}
		if adapter.Known(s.Vendor) {
			if _, err := adapter.New(s.Vendor, s.AdapterSettings()); err != nil {
				bad("%s: %v", at, err)
			}
		}
	}
	return names
}

func (c *Config) validateRules(p *problems, names map[string]bool) {
	bad := p.add
	if len(c.Rules) == 0 {
		bad("rules: at least one routing rule is needed")
	}
	for i := range c.Rules {
		r := &c.Rules[i]
		at := fmt.Sprintf("rules[%d]", i)
		if r.Name != "" {
			at += " (" + r.Name + ")"
		}
		if r.Target.Namespace == "" && r.Target.Queue == "" {
			bad("%s: rule without target (target.namespace and target.queue)", at)
		} else {
			for _, f := range [...]struct{ field, value string }{{"namespace", r.Target.Namespace}, {"queue", r.Target.Queue}} {
				if problems := validation.IsDNS1123Label(f.value); len(problems) > 0 {
					bad("%s.target.%s %q: must be a DNS-1123 label: %s", at, f.field, f.value, strings.Join(problems, "; "))
				}
			}
		}
		for _, src := range r.Sources {
			if !names[src] {
				bad("%s.sources: no source named %q", at, src)
			}
		}
	}
}

// validateTuning checks the optional top-level settings.
func (c *Config) validateTuning(p *problems) {
	bad := p.add
	if c.Tolerance != nil && c.Tolerance.Duration < 0 {
		bad("tolerance: must not be negative")
	}
	if c.MaxBodyBytes < 0 {
		bad("maxBodyBytes: must not be negative")
	}
	if c.Dedup.Window != nil && c.Dedup.Window.Duration <= 0 {
		bad("dedup.window: must be positive")
	}
	if c.Dedup.MaxEntries < 0 {
		bad("dedup.maxEntries: must not be negative")
	}
	switch c.Backlog.Mode {
	case "", BacklogDelta, BacklogSingle:
	default:
		bad("backlog.mode: %q is neither %q nor %q", c.Backlog.Mode, BacklogDelta, BacklogSingle)
	}
	if c.Backlog.CorrectionInterval != nil {
		if c.Backlog.CorrectionInterval.Duration <= 0 {
			bad("backlog.correctionInterval: must be positive")
		}
		if c.BacklogMode() != BacklogSingle {
			bad("backlog.correctionInterval: a correction replaces the gauge, so it needs backlog.mode %q (one replica owns the backlog)", BacklogSingle)
		}
	}
}

// AdapterSettings are the source's options for its adapter.
func (s *Source) AdapterSettings() adapter.Settings {
	set := adapter.Settings{Auth: s.Auth, BasicUser: s.BasicAuthUser}
	if len(s.TriggerKinds) > 0 {
		set.TriggerKinds = make(map[string]event.Kind, len(s.TriggerKinds))
		for trigger, kind := range s.TriggerKinds {
			set.TriggerKinds[trigger] = event.ParseKind(kind)
		}
	}
	return set
}

// HandleFromFirstReply reports whether first replies feed handle time.
func (s *Source) HandleFromFirstReply() bool { return s.HandleTime == HandleFirstReply }
