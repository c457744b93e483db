package chart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/frontline-dev/frontline/internal/ingest/config"
)

// openTicketsValues: every vendor with a count, each with its own
// settings; zendesk and chatwoot as most installations have them.
const openTicketsValues = `
ingest:
  enabled: true
  replicaCount: 1
  existingSecret: frontline-ingest-webhooks
  openTicketsSecret: frontline-ingest-api
  networkPolicy: {enabled: true}
  config:
    backlog: {mode: single, correctionInterval: 2m}
    sources:
      - name: zendesk-eu
        vendor: zendesk
        openTickets: {url: https://acme.zendesk.com, email: frontline-bot@acme.com, timeout: 15s}
      - name: chatwoot
        vendor: chatwoot
        auth: token
        secretKey: chatwoot-webhook
        openTickets:
          url: https://app.chatwoot.com
          accountId: 7
          tokenKey: chatwoot-api-token
          groupIds: {Billing: 2, Sales: "5"}
      - name: freshdesk
        vendor: freshdesk
        openTickets: {url: https://acme.freshdesk.com, groupIds: {Billing: 8000012345}, statuses: [2, 3, 6]}
      - name: intercom
        vendor: intercom
        openTickets: {url: https://api.eu.intercom.io, tagIds: {vip: "7261234"}}
      - name: zammad
        vendor: zammad
        openTickets: {url: http://zammad.helpdesk.svc:8080/zammad, groupIds: {Billing: 3}, states: [new, open]}
    rules:
      - {name: vip, match: {tags: [vip]}, target: {namespace: support, queue: vip}}
      - target: {namespace: support, queue: general}
`

// mountedConfig is what the ingest pod sees: the rendered config, the
// mount path of each Secret volume by Secret name.
type mountedConfig struct {
	raw    string
	mounts map[string]string // Secret name → mount path
	pod    corev1.PodSpec
}

func ingestMounts(t *testing.T, objs []*unstructured.Unstructured) mountedConfig {
	t.Helper()
	d := &appsv1.Deployment{}
	into(t, one(t, objs, "Deployment"), d)
	cm := &corev1.ConfigMap{}
	into(t, one(t, objs, "ConfigMap"), cm)
	pod := d.Spec.Template.Spec
	byVolume := map[string]corev1.VolumeMount{}
	for _, m := range pod.Containers[0].VolumeMounts {
		byVolume[m.Name] = m
	}
	mc := mountedConfig{raw: cm.Data["config.yaml"], mounts: map[string]string{}, pod: pod}
	for _, v := range pod.Volumes {
		if v.Secret == nil {
			continue
		}
		m, ok := byVolume[v.Name]
		if !ok || !m.ReadOnly {
			t.Errorf("Secret %s: mount %+v, want mounted read-only", v.Secret.SecretName, m)
		}
		if _, dup := mc.mounts[v.Secret.SecretName]; dup {
			t.Errorf("Secret %s mounted twice", v.Secret.SecretName)
		}
		mc.mounts[v.Secret.SecretName] = m.MountPath
	}
	return mc
}

// loadMounted lays the pod's files out under a temp dir (the config, and
// every secretFile and tokenFile it names, each under the mount path of
// its Secret) and loads them with the ingest's own loader, which parses,
// validates and reads every file.
func loadMounted(t *testing.T, mc mountedConfig) *config.Config {
	t.Helper()
	root := t.TempDir()
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(mc.raw), &doc); err != nil {
		t.Fatal(err)
	}
	relocate := func(m map[string]any, key string) {
		p, _ := m[key].(string)
		inMount := false
		for _, dir := range mc.mounts {
			inMount = inMount || strings.HasPrefix(p, dir+"/")
		}
		if !inMount {
			t.Errorf("%s %q is in no mounted Secret (%v)", key, p, mc.mounts)
			return
		}
		local := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(local), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(local, []byte("s3cret\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		m[key] = local
	}
	sources, _ := doc["sources"].([]any)
	for _, s := range sources {
		src := s.(map[string]any)
		relocate(src, "secretFile")
		if ot, ok := src["openTickets"].(map[string]any); ok {
			relocate(ot, "tokenFile")
		}
	}
	raw, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "etc", "frontline-ingest", "config.yaml")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("the ingest refuses the rendered config and mounts: %v\n%s", err, mc.raw)
	}
	return cfg
}

func TestIngestOpenTickets(t *testing.T) {
	objs, err := renderValues(t, openTicketsValues)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(byKind(objs, "Secret")); n != 0 {
		t.Errorf("the chart renders %d Secrets; API tokens must come from the existing Secret", n)
	}
	mc := ingestMounts(t, objs)
	webhooks, tokens := mc.mounts["frontline-ingest-webhooks"], mc.mounts["frontline-ingest-api"]
	if webhooks == "" || tokens == "" || len(mc.mounts) != 2 {
		t.Fatalf("Secret mounts %v: want ingest.existingSecret and ingest.openTicketsSecret", mc.mounts)
	}

	// As the pod reads it (paths as mounted), then with the files there.
	cfg, err := config.Parse([]byte(mc.raw))
	if err != nil {
		t.Fatalf("the ingest refuses the rendered config: %v\n%s", err, mc.raw)
	}
	wantToken := map[string]string{
		"zendesk-eu": tokens + "/zendesk-eu", "chatwoot": tokens + "/chatwoot-api-token", "freshdesk": tokens + "/freshdesk",
		"intercom": tokens + "/intercom", "zammad": tokens + "/zammad",
	}
	for _, s := range cfg.Sources {
		if s.OpenTickets == nil {
			t.Errorf("source %s lost its openTickets", s.Name)
			continue
		}
		if s.OpenTickets.TokenFile != wantToken[s.Name] {
			t.Errorf("source %s reads its API token from %q, want %q (ingest.openTicketsSecret's key, mounted)", s.Name, s.OpenTickets.TokenFile, wantToken[s.Name])
		}
		if !strings.HasPrefix(s.SecretFile, webhooks+"/") {
			t.Errorf("source %s reads its webhook secret from %q, outside %s", s.Name, s.SecretFile, webhooks)
		}
	}
	if strings.Contains(mc.raw, "tokenKey") {
		t.Errorf("tokenKey left in the ingest's config:\n%s", mc.raw)
	}
	loaded := loadMounted(t, mc)
	byName := map[string]*config.OpenTickets{}
	for i := range loaded.Sources {
		byName[loaded.Sources[i].Name] = loaded.Sources[i].OpenTickets
	}
	zd, cw, fd, ic, zm := byName["zendesk-eu"], byName["chatwoot"], byName["freshdesk"], byName["intercom"], byName["zammad"]
	if loaded.BacklogMode() != config.BacklogSingle || loaded.CorrectionInterval().String() != "2m0s" || !loaded.HasOpenTickets() ||
		zd.URL != "https://acme.zendesk.com" || zd.Email != "frontline-bot@acme.com" || zd.RequestTimeout().String() != "15s" ||
		cw.AccountID != 7 || cw.GroupIDs["Billing"] != "2" || cw.GroupIDs["Sales"] != "5" || cw.RequestTimeout() != config.DefaultOpenTicketsTimeout ||
		fd.GroupIDs["Billing"] != "8000012345" || len(fd.Statuses) != 3 || fd.Statuses[2] != 6 ||
		ic.TagIDs["vip"] != "7261234" || zm.URL != "http://zammad.helpdesk.svc:8080/zammad" || strings.Join(zm.States, ",") != "new,open" {
		t.Errorf("rendered config lost values:\n%s", mc.raw)
	}

	// Egress: DNS, and the helpdesk APIs on 443 anywhere (no cidrs set).
	np := &networkingv1.NetworkPolicy{}
	into(t, one(t, objs, "NetworkPolicy"), np)
	if len(np.Spec.Egress) != 2 || len(np.Spec.Egress[1].To) != 0 || len(np.Spec.Egress[1].Ports) != 1 ||
		np.Spec.Egress[1].Ports[0].Port.IntValue() != 443 || *np.Spec.Egress[1].Ports[0].Protocol != corev1.ProtocolTCP {
		t.Errorf("egress %+v: want DNS, and TCP 443 to any address for the helpdesk APIs", np.Spec.Egress)
	}
	// helpdeskAPI narrows it.
	objs, err = renderValues(t, openTicketsValues, "ingest.networkPolicy.helpdeskAPI.cidrs={198.51.100.0/24,2001:db8::/32}",
		"ingest.networkPolicy.helpdeskAPI.ports={443,8080}")
	if err != nil {
		t.Fatal(err)
	}
	np = &networkingv1.NetworkPolicy{}
	into(t, one(t, objs, "NetworkPolicy"), np)
	if len(np.Spec.Egress) != 2 {
		t.Fatalf("egress %+v", np.Spec.Egress)
	}
	api := np.Spec.Egress[1]
	if len(api.To) != 2 || api.To[0].IPBlock.CIDR != "198.51.100.0/24" || api.To[1].IPBlock.CIDR != "2001:db8::/32" ||
		len(api.Ports) != 2 || api.Ports[1].Port.IntValue() != 8080 {
		t.Errorf("helpdesk API egress %+v: want the values' CIDRs and ports", api)
	}
}

// TestIngestOpenTicketsRefused: what would count the backlog wrong, or
// what the ingest would refuse at start, fails at helm install.
func TestIngestOpenTicketsRefused(t *testing.T) {
	for name, c := range map[string]struct {
		sets []string
		want string
		edit []string // old, new pairs applied to openTicketsValues
		base string   // instead of openTicketsValues
	}{
		// Render failures, with what to do.
		"delta mode":        {edit: []string{"backlog: {mode: single, correctionInterval: 2m}", "backlog: {mode: delta}"}, want: "(zendesk-eu, chatwoot, freshdesk, intercom, zammad).openTickets: needs ingest.config.backlog.mode single, not delta"},
		"default mode":      {edit: []string{"backlog: {mode: single, correctionInterval: 2m}", ""}, want: "needs ingest.config.backlog.mode single, not delta"},
		"two replicas":      {sets: []string{"ingest.replicaCount=2"}, want: "ingest.config.backlog.mode single with ingest.replicaCount 2: one replica owns the backlog"},
		"no token Secret":   {sets: []string{"ingest.openTicketsSecret="}, want: "ingest.openTicketsSecret: sources zendesk-eu, chatwoot, freshdesk, intercom, zammad have openTickets"},
		"interval in delta": {base: ingestValues, sets: []string{"ingest.replicaCount=1", "ingest.config.backlog.mode=delta", "ingest.config.backlog.correctionInterval=5m"}, want: "correctionInterval: only with ingest.config.backlog.mode single"},
		"short interval":    {sets: []string{"ingest.config.backlog.correctionInterval=29s"}, want: "correctionInterval 29s: at least 30s"},
		"long timeout":      {sets: []string{"ingest.config.sources[0].openTickets.timeout=1m0.5s"}, want: "(zendesk-eu).openTickets.timeout 1m0.5s: must be positive and at most 1m"},
		"zero timeout":      {sets: []string{"ingest.config.sources[0].openTickets.timeout=0s"}, want: "must be positive and at most 1m"},
		// The schema: validate.go's rules it can state.
		"credentials in the URL":   {sets: []string{"ingest.config.sources[0].openTickets.url=https://bot:pw@acme.zendesk.com"}, want: "openTickets/url"},
		"query in the URL":         {sets: []string{"ingest.config.sources[0].openTickets.url=https://acme.zendesk.com/?a=1"}, want: "openTickets/url"},
		"not http":                 {sets: []string{"ingest.config.sources[0].openTickets.url=ftp://acme.zendesk.com"}, want: "openTickets/url"},
		"no URL":                   {edit: []string{"{url: https://acme.zendesk.com, ", "{"}, want: "missing property 'url'"},
		"a token file path":        {sets: []string{"ingest.config.sources[0].openTickets.tokenFile=/etc/token"}, want: "additional properties 'tokenFile' not allowed"},
		"a token in the values":    {sets: []string{"ingest.config.sources[0].openTickets.token=s3cret"}, want: "additional properties 'token' not allowed"},
		"bad token key":            {sets: []string{"ingest.config.sources[0].openTickets.tokenKey=a/b"}, want: "openTickets/tokenKey"},
		"zendesk without email":    {edit: []string{", email: frontline-bot@acme.com", ""}, want: "missing property 'email'"},
		"chatwoot without account": {edit: []string{"          accountId: 7\n", ""}, want: "missing property 'accountId'"},
		"chatwoot account 0":       {sets: []string{"ingest.config.sources[1].openTickets.accountId=0"}, want: "openTickets/accountId"},
		"another vendor's field":   {sets: []string{"ingest.config.sources[3].openTickets.email=a@b.c"}, want: "additional properties 'email' not allowed"},
		"statuses on zammad":       {sets: []string{"ingest.config.sources[4].openTickets.statuses={2}"}, want: "additional properties 'statuses' not allowed"},
		"generic has no count":     {edit: []string{"vendor: zendesk", "vendor: generic", ", email: frontline-bot@acme.com", ""}, want: "sources/0/vendor"},
		"a name for an id":         {sets: []string{"ingest.config.sources[1].openTickets.groupIds.Billing=billing"}, want: "openTickets/groupIds/Billing"},
		"a solved status":          {sets: []string{"ingest.config.sources[2].openTickets.statuses={1}"}, want: "openTickets/statuses/0"},
		"an empty state":           {sets: []string{"ingest.config.sources[4].openTickets.states[0]= "}, want: "openTickets/states/0"},
		"timeout not a duration":   {sets: []string{"ingest.config.sources[0].openTickets.timeout=10"}, want: "openTickets/timeout"},
		"bad Secret name":          {sets: []string{"ingest.openTicketsSecret=Frontline_API"}, want: "/ingest/openTicketsSecret"},
		"no ports":                 {sets: []string{"ingest.networkPolicy.helpdeskAPI.ports={}"}, want: "helpdeskAPI/ports"},
	} {
		t.Run(name, func(t *testing.T) {
			values := c.base
			if values == "" {
				values = openTicketsValues
			}
			for i := 0; i+1 < len(c.edit); i += 2 {
				if !strings.Contains(values, c.edit[i]) {
					t.Fatalf("values lack %q", c.edit[i])
				}
				values = strings.Replace(values, c.edit[i], c.edit[i+1], 1)
			}
			_, err := renderValues(t, values, c.sets...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want it to mention %q", err, c.want)
			}
		})
	}
}

// TestIngestOpenTicketsOnlyWhenSet: without openTickets nothing changes:
// no token Secret needed or mounted, no egress beyond DNS; single mode
// alone needs one replica and no token Secret.
func TestIngestOpenTicketsOnlyWhenSet(t *testing.T) {
	objs, err := renderValues(t, ingestValues, "ingest.networkPolicy.enabled=true", "ingest.openTicketsSecret=frontline-ingest-api")
	if err != nil {
		t.Fatal(err)
	}
	if mc := ingestMounts(t, objs); len(mc.mounts) != 1 || mc.mounts["frontline-ingest-webhooks"] == "" {
		t.Errorf("Secret mounts %v without openTickets: want the webhook Secret only", mc.mounts)
	}
	np := &networkingv1.NetworkPolicy{}
	into(t, one(t, objs, "NetworkPolicy"), np)
	if len(np.Spec.Egress) != 1 {
		t.Errorf("egress %+v without openTickets or helpdesk CIDRs: want DNS only", np.Spec.Egress)
	}
	objs, err = renderValues(t, ingestValues, "ingest.replicaCount=1", "ingest.config.backlog.mode=single", "ingest.config.backlog.correctionInterval=10s")
	if err != nil {
		t.Fatalf("single mode without openTickets: %v", err)
	}
	if _, err := config.Parse([]byte(ingestMounts(t, objs).raw)); err != nil {
		t.Errorf("the ingest refuses single mode without openTickets: %v", err)
	}
}

// TestAllValuesOpenTickets: all-values.yaml sets every openTickets value;
// the ingest accepts what it renders, with the files where the pod has
// them.
func TestAllValuesOpenTickets(t *testing.T) {
	objs, err := renderValues(t, readFile(t, "test/chart/all-values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	mc := ingestMounts(t, objs)
	cfg := loadMounted(t, mc)
	tokens := mc.mounts["frontline-ingest-api"]
	if tokens == "" {
		t.Fatalf("Secret mounts %v: ingest.openTicketsSecret not mounted", mc.mounts)
	}
	asMounted, err := config.Parse([]byte(mc.raw))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range asMounted.Sources {
		if s.OpenTickets != nil && !strings.HasPrefix(s.OpenTickets.TokenFile, tokens+"/") {
			t.Errorf("source %s reads its API token from %q, outside the mounted %s", s.Name, s.OpenTickets.TokenFile, tokens)
		}
	}
	seen := map[string]bool{}
	for _, s := range cfg.Sources {
		o := s.OpenTickets
		if o == nil {
			continue
		}
		for field, set := range map[string]bool{"email": o.Email != "", "timeout": o.Timeout != nil, "accountId": o.AccountID != 0,
			"groupIds": len(o.GroupIDs) > 0, "tagIds": len(o.TagIDs) > 0, "statuses": len(o.Statuses) > 0, "states": len(o.States) > 0} {
			seen[field] = seen[field] || set
		}
	}
	for _, f := range []string{"email", "timeout", "accountId", "groupIds", "tagIds", "statuses", "states"} {
		if !seen[f] {
			t.Errorf("all-values.yaml sets no openTickets.%s", f)
		}
	}
	if !strings.Contains(mc.raw, "tokenFile: "+tokens+"/zendesk-api-token") {
		t.Errorf("all-values.yaml's tokenKey not rendered as the mounted key:\n%s", mc.raw)
	}
	if cfg.BacklogMode() != config.BacklogSingle || cfg.CorrectionInterval().String() != "5m0s" {
		t.Errorf("backlog %+v", cfg.Backlog)
	}
}

// TestHelpdeskDocChartValues: the chart example of "Correcting the
// backlog" in docs/connect-your-helpdesk.md renders, and the ingest
// accepts the config it makes.
func TestHelpdeskDocChartValues(t *testing.T) {
	doc := readFile(t, "docs/connect-your-helpdesk.md")
	_, block, ok := strings.Cut(doc, "```yaml\n# values.yaml (openTickets)\n")
	block, _, ok2 := strings.Cut(block, "```")
	if !ok || !ok2 {
		t.Fatal("docs/connect-your-helpdesk.md has no chart example for openTickets")
	}
	objs, err := renderValues(t, block)
	if err != nil {
		t.Fatal(err)
	}
	cfg := loadMounted(t, ingestMounts(t, objs))
	if !cfg.HasOpenTickets() {
		t.Error("the documented values configure no openTickets")
	}
}
