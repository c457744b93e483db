// Package controllers holds Frontline's reconcilers. They stay thin: gather
// state from the API server and Prometheus, call the pure decision functions
// in internal/, apply the result with server-side apply.
package controllers

// RBAC shared by every reconciler. Per-resource rules sit beside the
// reconciler that needs them.
//
// +kubebuilder:rbac:groups=support.frontline.dev,resources=supportqueues;slapolicies;surgeplans,verbs=get;list;watch
// +kubebuilder:rbac:groups=support.frontline.dev,resources=supportqueues/status;slapolicies/status;surgeplans/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
