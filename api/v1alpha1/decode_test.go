package v1alpha1_test

import (
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime/serializer"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/scheme"
)

// A list as the apiserver sends it, with one plan stored before its
// duration was bounded: the list decodes through the same codec an
// informer uses, the poisoned plan keeps its identity and says why, and
// its neighbour decodes whole.
func TestUndecodableItemDoesNotFailTheList(t *testing.T) {
	list := `{"apiVersion":"support.frontline.dev/v1alpha1","kind":"SurgePlanList","metadata":{"resourceVersion":"7"},"items":[
	 {"apiVersion":"support.frontline.dev/v1alpha1","kind":"SurgePlan","metadata":{"name":"poisoned","namespace":"a","uid":"u1"},
	  "spec":{"mode":"Auto","cooldown":{"minActive":"99999999h"}},"status":{"phase":"Active"}},
	 {"apiVersion":"support.frontline.dev/v1alpha1","kind":"SurgePlan","metadata":{"name":"fine","namespace":"b"},
	  "spec":{"mode":"Auto","cooldown":{"minActive":"15m"}}}]}`
	codecs := serializer.NewCodecFactory(scheme.New())
	obj, _, err := codecs.UniversalDeserializer().Decode([]byte(list), nil, &supportv1alpha1.SurgePlanList{})
	if err != nil {
		t.Fatalf("the list failed to decode as a whole: %v", err)
	}
	got := obj.(*supportv1alpha1.SurgePlanList)
	if len(got.Items) != 2 {
		t.Fatalf("items = %d, want 2", len(got.Items))
	}
	bad, good := got.Items[0], got.Items[1]
	if bad.DecodeError() == nil || !strings.Contains(bad.DecodeError().Error(), "invalid duration") {
		t.Errorf("poisoned plan DecodeError = %v, want the duration error", bad.DecodeError())
	}
	if bad.Name != "poisoned" || bad.Namespace != "a" || bad.UID != "u1" {
		t.Errorf("poisoned plan lost its identity: %s/%s %s", bad.Namespace, bad.Name, bad.UID)
	}
	if bad.Spec.Mode != "" || bad.Status.Phase != "" {
		t.Errorf("poisoned plan kept a partial body: mode %q phase %q", bad.Spec.Mode, bad.Status.Phase)
	}
	if good.DecodeError() != nil || good.Spec.Cooldown.MinActive.Duration != 15*time.Minute {
		t.Errorf("neighbour: err %v minActive %v", good.DecodeError(), good.Spec.Cooldown.MinActive.Duration)
	}
	if cp := bad.DeepCopy(); cp.DecodeError() == nil {
		t.Error("DeepCopy dropped the decode error: a cached copy would look healthy")
	}
}

// Every kind decodes leniently, and a body without metadata stays an error.
func TestEveryKindKeepsIdentity(t *testing.T) {
	codecs := serializer.NewCodecFactory(scheme.New())
	for _, doc := range []string{
		`{"apiVersion":"support.frontline.dev/v1alpha1","kind":"SupportQueue","metadata":{"name":"q"},"spec":{"metrics":{"pollInterval":"99999999h"}}}`,
		`{"apiVersion":"support.frontline.dev/v1alpha1","kind":"SLAPolicy","metadata":{"name":"p"},"spec":{"targets":[{"channel":"email","firstResponse":"99999999h"}]}}`,
	} {
		obj, _, err := codecs.UniversalDeserializer().Decode([]byte(doc), nil, nil)
		if err != nil {
			t.Fatalf("%s: %v", doc[:80], err)
		}
		withErr, ok := obj.(interface{ DecodeError() error })
		if !ok || withErr.DecodeError() == nil {
			t.Errorf("%T: no decode error recorded", obj)
		}
	}
	_, _, err := codecs.UniversalDeserializer().Decode([]byte(`{"apiVersion":"support.frontline.dev/v1alpha1","kind":"SurgePlan","spec":{"cooldown":{"minActive":"x"}}}`), nil, nil)
	if err == nil {
		t.Error("a body without a name decoded without error")
	}
}
