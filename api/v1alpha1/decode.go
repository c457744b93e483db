package v1alpha1

import (
	"errors"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kjson "sigs.k8s.io/json"
)

// Admission bounds every field the operator decodes, but objects stored
// before a bound existed (an upgrade, an older CRD version, a write below
// the apiserver) can still hold values Go cannot decode, such as a
// duration beyond 290 years. One such object must not fail a whole list:
// the informer would serve no namespace at all. So each kind decodes
// leniently: an object whose body does not decode keeps its identity
// (type and metadata) and its conditions, its spec and the rest of its
// status stay empty, and DecodeError says why. Whoever reads it skips it;
// its controller marks it Stalled (and, with its conditions at hand, does
// so once rather than on every pass).

// UnmarshalJSON decodes a SupportQueue; see DecodeError.
func (q *SupportQueue) UnmarshalJSON(data []byte) error {
	type plain SupportQueue
	return decodeOrKeepIdentity(data, (*plain)(q), func() { *q = SupportQueue{} }, &q.TypeMeta, &q.ObjectMeta,
		&q.Status.Conditions, &q.Status.ObservedGeneration, &q.decodeErr)
}

// DecodeError is why the stored object could not be decoded (nil when it
// was): its spec and status are then empty and must not be acted on.
func (q *SupportQueue) DecodeError() error { return errorOf(q.decodeErr) }

// UnmarshalJSON decodes an SLAPolicy; see DecodeError.
func (p *SLAPolicy) UnmarshalJSON(data []byte) error {
	type plain SLAPolicy
	return decodeOrKeepIdentity(data, (*plain)(p), func() { *p = SLAPolicy{} }, &p.TypeMeta, &p.ObjectMeta,
		&p.Status.Conditions, &p.Status.ObservedGeneration, &p.decodeErr)
}

// DecodeError is why the stored object could not be decoded (nil when it
// was): its spec and status are then empty and must not be acted on.
func (p *SLAPolicy) DecodeError() error { return errorOf(p.decodeErr) }

// UnmarshalJSON decodes a SurgePlan; see DecodeError.
func (p *SurgePlan) UnmarshalJSON(data []byte) error {
	type plain SurgePlan
	return decodeOrKeepIdentity(data, (*plain)(p), func() { *p = SurgePlan{} }, &p.TypeMeta, &p.ObjectMeta,
		&p.Status.Conditions, &p.Status.ObservedGeneration, &p.decodeErr)
}

// DecodeError is why the stored object could not be decoded (nil when it
// was): its spec and status are then empty and must not be acted on.
func (p *SurgePlan) DecodeError() error { return errorOf(p.decodeErr) }

// decodeOrKeepIdentity decodes data into body as the apiserver's JSON
// serializer does (case-sensitive, integers kept). When that fails but the
// object's identity decodes, the object is reset to its identity and
// conditions and the failure recorded; only a body without readable
// metadata is an error.
func decodeOrKeepIdentity(data []byte, body any, reset func(), tm *metav1.TypeMeta, om *metav1.ObjectMeta,
	conds *[]metav1.Condition, observed *int64, failure *string) error {
	err := kjson.UnmarshalCaseSensitivePreserveInts(data, body)
	if err == nil {
		*failure = ""
		return nil
	}
	var id struct {
		metav1.TypeMeta `json:",inline"`
		ObjectMeta      metav1.ObjectMeta `json:"metadata"`
	}
	if kjson.UnmarshalCaseSensitivePreserveInts(data, &id) != nil || id.ObjectMeta.Name == "" {
		return err
	}
	reset()
	*tm, *om = id.TypeMeta, id.ObjectMeta
	var st struct {
		Status struct {
			Conditions         []metav1.Condition `json:"conditions"`
			ObservedGeneration int64              `json:"observedGeneration"`
		} `json:"status"`
	}
	if kjson.UnmarshalCaseSensitivePreserveInts(data, &st) == nil { // best effort: the status may be what is broken
		*conds, *observed = st.Status.Conditions, st.Status.ObservedGeneration
	}
	*failure = err.Error()
	return nil
}

func errorOf(msg string) error {
	if msg == "" {
		return nil
	}
	return errors.New(msg)
}
