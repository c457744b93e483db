package sim

import (
	"os"
	"path/filepath"
	"testing"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/defaults"
)

// loadSample reads a sample as the apiserver would store it (defaulted
// from the CRD).
func loadSample(t testing.TB, file, kind string, into any) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "config", "samples", file))
	if err != nil {
		t.Fatal(err)
	}
	if err := defaults.Decode(raw, kind, into); err != nil {
		t.Fatal(err)
	}
}

// sampleConfig is the retail chat queue, the retail policy and the btc-crash
// plan from config/samples, with the apiserver's defaults filled in.
func sampleConfig(t testing.TB) Config {
	q := &supportv1alpha1.SupportQueue{}
	p := &supportv1alpha1.SLAPolicy{}
	plan := supportv1alpha1.SurgePlan{}
	loadSample(t, "support_v1alpha1_supportqueue_retail_chat.yaml", "SupportQueue", q)
	loadSample(t, "support_v1alpha1_slapolicy_retail.yaml", "SLAPolicy", p)
	loadSample(t, "support_v1alpha1_surgeplan_btc_crash.yaml", "SurgePlan", &plan)
	return Config{Queue: q, Policy: p, Plans: []supportv1alpha1.SurgePlan{plan}, Seed: 1}
}
