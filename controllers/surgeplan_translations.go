package controllers

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/client-go/tools/events"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	kbase "github.com/frontline-dev/frontline/internal/knowledge"
)

// recordMissingTranslations names the selected queues' languages that the
// plan's pinned FAQs lack a translation for, in every phase so the gaps
// show before an incident, with an Event when the list changes.
func recordMissingTranslations(p *supportv1alpha1.SurgePlan, queues []supportv1alpha1.SupportQueue, rec events.EventRecorder) {
	prev := p.Status.MissingTranslations
	next := kbase.Missing(p.Spec.Actions.PinnedFAQs, queues)
	p.Status.MissingTranslations = next
	switch {
	case equality.Semantic.DeepEqual(prev, next):
	case len(next) == 0:
		rec.Eventf(p, nil, corev1.EventTypeNormal, supportv1alpha1.ReasonTranslationsComplete, "Translate",
			"every language of the selected queues has a translation of each pinned FAQ")
	default:
		rec.Eventf(p, nil, corev1.EventTypeWarning, supportv1alpha1.ReasonTranslationMissing, "Translate", "%s", kbase.Summary(next))
	}
}
