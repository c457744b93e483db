package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	jsonpatch "github.com/evanphx/json-patch/v5"
	"github.com/spf13/cobra"
	authenticationv1 "k8s.io/api/authentication/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/printers"
	watchtools "k8s.io/client-go/tools/watch"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/scheme"
	"github.com/frontline-dev/frontline/internal/surge"
)

// FieldManager is the plugin's own field manager, distinct from the
// operator's and from GitOps tools'.
const FieldManager = "kubectl-frontline"

type surgeOptions struct {
	flags  *genericclioptions.ConfigFlags
	s      Streams
	now    func() time.Time
	reason string
	dur    time.Duration // surge on --for
	offFor time.Duration // surge off --for
	// dryRun is kubectl's --dry-run: none acts; client prints what each
	// queue would gain; server also has the apiserver admit the override
	// (RBAC, the on-call policy) without keeping it.
	dryRun string
	// wait and timeout: on, off and auto wait for the operator to act.
	wait    bool
	timeout time.Duration
	// printFlags and allNamespaces are surge status's -o and -A.
	printFlags *objectPrintFlags
	// changedPrint is on, off and auto's -o: the plan as written (or, with
	// --dry-run=client, as it would be), in place of the summary line.
	changedPrint  *genericclioptions.PrintFlags
	allNamespaces bool
}

func newSurgeCommand(o *surgeOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "surge",
		Short: "Drive SurgePlans by hand: on, off, auto, status",
		Long: `surge lets on-call staff force a SurgePlan on (with automatic expiry), off
(wins over every trigger), or back to the plan's own mode, and shows what
plans do. The override is written to the plan's annotations
(support.frontline.dev/surge-override, -until, -reason, changed-by) with
the field manager "kubectl-frontline", never to spec: a GitOps sync of the
plan's YAML leaves it alone. The operator records it in the plan's status
and Events with who set it.`,
	}
	on := &cobra.Command{
		Use:     "on PLAN",
		Short:   "Force a plan Active until --for has passed",
		Example: `  kubectl frontline surge on btc-crash --for 45m --reason "BTC -18% in 10 min"`,
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.dur <= 0 {
				return &flagError{"for", "must be a positive duration, e.g. 30m"}
			}
			switch o.dryRun {
			case dryRunNone:
			case dryRunClient:
				if o.printsObject() {
					break // the plan as it would be written, by setOverride
				}
				return o.printDryRun(cmd.Context(), args[0])
			case dryRunServer:
				if o.printsObject() {
					break
				}
				if err := o.printDryRun(cmd.Context(), args[0]); err != nil {
					return err
				}
			default:
				return &flagError{"dry-run", fmt.Sprintf("%q: must be none, client or server", o.dryRun)}
			}
			return o.setOverride(cmd.Context(), args[0], supportv1alpha1.SurgeModeAlways, o.dur)
		},
	}
	on.Flags().StringVar(&o.dryRun, "dry-run", dryRunNone, `"client" (or bare --dry-run): print what each selected queue would gain (agents, bots, pinned FAQs) and change nothing; "server": that, and the apiserver admits the override without keeping it. With -o, the plan as it would be written instead.`)
	on.Flags().Lookup("dry-run").NoOptDefVal = dryRunClient
	on.Flags().DurationVar(&o.dur, "for", 30*time.Minute, "How long the plan stays forced on; then it follows its own mode again by itself.")
	on.Flags().StringVar(&o.reason, "reason", "", "Why, for the audit trail.")
	off := &cobra.Command{
		Use:     "off PLAN",
		Short:   "Disable a plan; it wins over every trigger",
		Example: `  kubectl frontline surge off btc-crash --reason "false alarm: exchange feed glitch"`,
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.offFor < 0 {
				return &flagError{"for", "must not be negative"}
			}
			return o.setOverride(cmd.Context(), args[0], supportv1alpha1.SurgeModeNever, o.offFor)
		},
	}
	off.Flags().DurationVar(&o.offFor, "for", 0, "How long the plan stays off (0: until surge auto).")
	off.Flags().StringVar(&o.reason, "reason", "", "Why, for the audit trail.")
	auto := &cobra.Command{
		Use:   "auto PLAN",
		Short: "Clear the on-call override: the plan follows its own mode (spec.mode) again",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.setOverride(cmd.Context(), args[0], supportv1alpha1.SurgeModeAuto, 0)
		},
	}
	auto.Flags().StringVar(&o.reason, "reason", "", "Why, for the audit trail.")
	status := &cobra.Command{
		Use:   "status [PLAN]",
		Short: "Show plans: mode, phase, since, reason, queues, capacity added",
		Example: `  kubectl frontline surge status -A
  kubectl frontline surge status -o wide
  kubectl frontline surge status btc-crash -o yaml
  kubectl frontline surge status -A -o custom-columns=PLAN:.metadata.name,PHASE:.status.phase,BY:.status.manual.by --no-headers`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.allNamespaces && len(args) == 1 {
				return &flagError{"all-namespaces", "cannot be used with a plan name"}
			}
			return o.status(cmd.Context(), args)
		},
	}
	o.printFlags.addFlags(status)
	status.Flags().BoolVarP(&o.allNamespaces, "all-namespaces", "A", false, "List plans in all namespaces.")
	for _, c := range []*cobra.Command{on, off, auto, status} {
		c.ValidArgsFunction = o.completePlans
	}
	for _, c := range []*cobra.Command{on, off, auto} {
		c.Flags().BoolVar(&o.wait, "wait", false, "Wait until the operator has recorded the override and the plan is in the phase it forces (on: Active, off: Disabled), following the plan through a watch that survives the apiserver closing it.")
		c.Flags().DurationVar(&o.timeout, "timeout", time.Minute, "How long --wait waits; past it the command fails (exit 1) naming the plan's phase.")
		o.changedPrint.AddFlags(c)
		c.Flags().Lookup("output").Usage = "Output format: print the plan as written (with --wait, once the operator has acted; with --dry-run=client, as it would be) instead of the summary line. One of: (" + strings.Join(o.changedPrint.AllowedFormats(), ", ") + ")."
	}
	cmd.AddCommand(on, off, auto, status)
	return cmd
}

func newSurgeOptions(s Streams, flags *genericclioptions.ConfigFlags, now func() time.Time) *surgeOptions {
	return &surgeOptions{flags: flags, s: s, now: now, printFlags: newObjectPrintFlags(),
		changedPrint: genericclioptions.NewPrintFlags("override set").WithTypeSetter(scheme.New())}
}

func (o *surgeOptions) client() (client.WithWatch, string, error) {
	cfg, err := o.flags.ToRESTConfig()
	if err != nil {
		return nil, "", err
	}
	ns, _, err := o.flags.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return nil, "", err
	}
	c, err := client.NewWithWatch(cfg, client.Options{Scheme: scheme.New()})
	return c, ns, err
}

// completePlans completes a plan name from the plans in the namespace
// (shell completion: kubectl frontline completion bash|zsh|fish).
func (o *surgeOptions) completePlans(cmd *cobra.Command, args []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return o.complete(cmd, args, prefix, &supportv1alpha1.SurgePlanList{}, "", func(obj client.Object) string {
		return string(obj.(*supportv1alpha1.SurgePlan).Status.Phase)
	})
}

// completeQueues completes sq/NAME from the queues in the namespace.
func (o *surgeOptions) completeQueues(cmd *cobra.Command, args []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return o.complete(cmd, args, prefix, &supportv1alpha1.SupportQueueList{}, "sq/", func(obj client.Object) string {
		return string(obj.(*supportv1alpha1.SupportQueue).Spec.Channel)
	})
}

// complete lists objects of the namespace as completions of the first
// argument: prefix+name, described by describe.
func (o *surgeOptions) complete(cmd *cobra.Command, args []string, typed string, list client.ObjectList, namePrefix string, describe func(client.Object) string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	c, ns, err := o.client()
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	if err := c.List(cmd.Context(), list, client.InNamespace(ns)); err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	objs, err := meta.ExtractList(list)
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	var names []cobra.Completion
	for _, obj := range objs {
		o := obj.(client.Object)
		if name := namePrefix + o.GetName(); strings.HasPrefix(name, typed) {
			names = append(names, cobra.CompletionWithDesc(name, describe(o)))
		}
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}

// whoAmI asks the apiserver who the caller is (SelfSubjectReview), so the
// audit trail names a person rather than a kubeconfig entry.
func whoAmI(ctx context.Context, c client.Client) string {
	r := &authenticationv1.SelfSubjectReview{}
	if err := c.Create(ctx, r); err != nil || r.Status.UserInfo.Username == "" {
		return "unknown"
	}
	return r.Status.UserInfo.Username
}

// getPlan reads a plan of the current namespace, with the client it used.
func (o *surgeOptions) getPlan(ctx context.Context, name string) (client.WithWatch, *supportv1alpha1.SurgePlan, error) {
	c, ns, err := o.client()
	if err != nil {
		return nil, nil, err
	}
	plan := &supportv1alpha1.SurgePlan{}
	if err := c.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, plan); err != nil {
		return nil, nil, fmt.Errorf("surgeplan %s/%s: %w", ns, name, err)
	}
	return c, plan, nil
}

// --dry-run values, as kubectl spells them.
const (
	dryRunNone   = "none"
	dryRunClient = "client"
	dryRunServer = "server"
)

// setOverride writes (Always, Never) or clears (Auto) the plan's on-call
// override annotations, with who and why; spec is left to its owner.
func (o *surgeOptions) setOverride(ctx context.Context, name string, mode supportv1alpha1.SurgeMode, d time.Duration) error {
	if o.wait && o.timeout <= 0 {
		return &flagError{"timeout", "must be a positive duration, e.g. 2m"}
	}
	var printer printers.ResourcePrinter
	if o.printsObject() {
		p, err := o.changedPrint.ToPrinter()
		if err != nil {
			return &flagError{"output", err.Error()}
		}
		printer = p
	}
	c, plan, err := o.getPlan(ctx, name)
	if err != nil {
		return err
	}
	ns := plan.Namespace
	who := whoAmI(ctx, c)
	var until *time.Time
	annotations := map[string]any{
		supportv1alpha1.AnnotationChangedBy:           who,
		supportv1alpha1.AnnotationSurgeOverride:       nil,
		supportv1alpha1.AnnotationSurgeOverrideUntil:  nil,
		supportv1alpha1.AnnotationSurgeOverrideReason: nil,
	}
	if o.reason != "" {
		annotations[supportv1alpha1.AnnotationSurgeOverrideReason] = o.reason
	}
	if mode != supportv1alpha1.SurgeModeAuto {
		annotations[supportv1alpha1.AnnotationSurgeOverride] = string(mode)
		if d > 0 {
			t := o.now().Add(d).UTC().Truncate(time.Second)
			until = &t
			annotations[supportv1alpha1.AnnotationSurgeOverrideUntil] = t.Format(time.RFC3339)
		}
	}
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": annotations}})
	if err != nil {
		return err
	}
	before := effectiveMode(plan, o.now())
	if o.dryRun == dryRunClient {
		// The same merge patch, applied here as the apiserver would.
		if err := applyMergePatch(plan, patch); err != nil {
			return err
		}
		return printer.PrintObj(plan, o.s.Out)
	}
	opts := []client.PatchOption{client.FieldOwner(FieldManager)}
	if o.dryRun == dryRunServer {
		opts = append(opts, client.DryRunAll)
	}
	if err := c.Patch(ctx, plan, client.RawPatch(types.MergePatchType, patch), opts...); err != nil {
		return fmt.Errorf("patching surgeplan %s/%s: %w", ns, name, err)
	}
	if printer != nil && (!o.wait || o.dryRun == dryRunServer) {
		return printer.PrintObj(plan, o.s.Out)
	}
	after := describeMode(mode, until, true)
	if mode == supportv1alpha1.SurgeModeAuto {
		after = "spec.mode " + describeMode(plan.Spec.Mode, timeOf(plan.Spec.ActiveUntil), false)
	}
	msg := fmt.Sprintf("surgeplan %s/%s: %s -> %s", ns, name, before, after)
	if o.reason != "" {
		msg += fmt.Sprintf(" (reason: %s)", o.reason)
	}
	if o.dryRun == dryRunServer {
		msg += " (server dry run: admitted, not kept)"
	}
	if printer == nil {
		if _, err := fmt.Fprintf(o.s.Out, "%s by %s\n", msg, who); err != nil {
			return err
		}
	}
	if !o.wait || o.dryRun == dryRunServer {
		return nil
	}
	want := manualRecord{mode: mode, by: who, reason: o.reason, until: until}
	last, err := o.waitForOperator(ctx, c, plan, want)
	if err != nil {
		return err
	}
	if printer != nil {
		return printer.PrintObj(last, o.s.Out)
	}
	_, err = fmt.Fprintf(o.s.Out, "surgeplan %s/%s is %s (%s)\n", ns, name, last.Status.Phase, last.Status.Reason)
	return err
}

// printsObject reports whether on, off or auto print the plan (-o).
func (o *surgeOptions) printsObject() bool { return ptr.Deref(o.changedPrint.OutputFormat, "") != "" }

// applyMergePatch applies a JSON merge patch (RFC 7386) to p in place.
func applyMergePatch(p *supportv1alpha1.SurgePlan, patch []byte) error {
	original, err := json.Marshal(p)
	if err != nil {
		return err
	}
	patched, err := jsonpatch.MergePatch(original, patch)
	if err != nil {
		return err
	}
	*p = supportv1alpha1.SurgePlan{} // Unmarshal would keep deleted map keys
	return json.Unmarshal(patched, p)
}

// manualRecord is the override the plugin wrote, as the operator records
// it in status.manual.
type manualRecord struct {
	mode   supportv1alpha1.SurgeMode
	by     string
	reason string
	until  *time.Time
}

// overrideInEffect reports whether the operator has acted on the override
// written: on and off once status.manual records it (who, why, until when,
// not expired) and the plan is in the phase it forces (Active, Disabled);
// auto once status.manual no longer records an override (the operator
// records Auto only over an override it had recorded).
func overrideInEffect(p *supportv1alpha1.SurgePlan, want manualRecord) bool {
	m := p.Status.Manual
	if want.mode == supportv1alpha1.SurgeModeAuto {
		return m == nil || m.Mode == supportv1alpha1.SurgeModeAuto
	}
	if m == nil || m.Mode != want.mode || m.Expired || m.By != want.by || m.Reason != want.reason {
		return false
	}
	if (m.Until == nil) != (want.until == nil) || (m.Until != nil && !m.Until.Time.Equal(*want.until)) {
		return false
	}
	phase := map[supportv1alpha1.SurgeMode]supportv1alpha1.SurgePhase{
		supportv1alpha1.SurgeModeAlways: supportv1alpha1.SurgePhaseActive,
		supportv1alpha1.SurgeModeNever:  supportv1alpha1.SurgePhaseDisabled,
	}[want.mode]
	return p.Status.Phase == phase
}

// errRelist ends a watch whose resourceVersion has expired: list again.
var errRelist = errors.New("watch expired")

// waitForOperator follows the plan as top --watch follows queues: it
// reads the plan, then watches it from that resourceVersion through
// client-go's RetryWatcher, which resumes where it was when the apiserver
// closes the watch; a version too old to resume reads the plan again. It
// returns once the operator has acted on the override; --timeout bounds
// the wait.
func (o *surgeOptions) waitForOperator(ctx context.Context, c client.WithWatch, plan *supportv1alpha1.SurgePlan, want manualRecord) (*supportv1alpha1.SurgePlan, error) {
	key := types.NamespacedName{Namespace: plan.Namespace, Name: plan.Name}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	last := plan
	done := func(ev watch.Event) (bool, error) {
		switch p := ev.Object.(type) {
		case *supportv1alpha1.SurgePlan:
			if ev.Type == watch.Deleted {
				return false, fmt.Errorf("surgeplan %s was deleted while waiting for the operator", key)
			}
			last = p
			return overrideInEffect(p, want), nil
		}
		if ev.Type == watch.Error {
			if err := expiredOr(ev); err != nil {
				return false, fmt.Errorf("surgeplan %s: %w", key, err)
			}
			return false, errRelist
		}
		return false, nil // bookmarks
	}
	byName := fields.OneTermEqualSelector("metadata.name", plan.Name).String()
	for {
		p := &supportv1alpha1.SurgePlan{}
		if err := c.Get(ctx, key, p); err != nil {
			if ctx.Err() != nil {
				break
			}
			return nil, fmt.Errorf("surgeplan %s: %w", key, err)
		}
		if ok, _ := done(watch.Event{Type: watch.Modified, Object: p}); ok {
			break
		}
		w, err := retryWatch(ctx, c, plan.Namespace, &supportv1alpha1.SurgePlanList{}, p.ResourceVersion, byName)
		if err != nil {
			return nil, err
		}
		_, err = watchtools.UntilWithoutRetry(ctx, w, done)
		if err == nil || ctx.Err() != nil {
			break
		}
		if !errors.Is(err, errRelist) && !errors.Is(err, watchtools.ErrWatchClosed) {
			return nil, err
		}
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("surgeplan %s: the operator did not act within %s (phase %s, reason %s)", key, o.timeout, orNone(string(last.Status.Phase)), orNone(last.Status.Reason))
	}
	return last, nil
}

// effectiveMode says what drives the plan now: an override in force, or
// spec.mode.
func effectiveMode(p *supportv1alpha1.SurgePlan, now time.Time) string {
	if ov, err := surge.OverrideOf(p.Annotations); err == nil && ov.InForce(now) {
		return describeMode(supportv1alpha1.SurgeMode(ov.Mode), ov.Until, true)
	}
	return describeMode(p.Spec.Mode, timeOf(p.Spec.ActiveUntil), false)
}

func timeOf(t *metav1.Time) *time.Time {
	if t == nil {
		return nil
	}
	return &t.Time
}

func describeMode(m supportv1alpha1.SurgeMode, until *time.Time, override bool) string {
	if m == "" {
		m = supportv1alpha1.SurgeModeAuto
	}
	out := string(m)
	if override {
		out += " (override)"
	}
	if until != nil {
		out += " until " + until.UTC().Format(time.RFC3339)
	}
	return out
}

func (o *surgeOptions) status(ctx context.Context, args []string) error {
	if err := o.printFlags.check(); err != nil {
		return err
	}
	c, ns, err := o.client()
	if err != nil {
		return err
	}
	var plans []supportv1alpha1.SurgePlan
	switch {
	case len(args) == 1:
		p := &supportv1alpha1.SurgePlan{}
		if err := c.Get(ctx, types.NamespacedName{Namespace: ns, Name: args[0]}, p); err != nil {
			return fmt.Errorf("surgeplan %s/%s: %w", ns, args[0], err)
		}
		plans = append(plans, *p)
	default:
		var list supportv1alpha1.SurgePlanList
		opts := []client.ListOption{client.InNamespace(ns)}
		if o.allNamespaces {
			opts = nil
		}
		if err := c.List(ctx, &list, opts...); err != nil {
			return err
		}
		plans = list.Items
	}
	if len(plans) == 0 && o.printFlags.isTable() {
		where := fmt.Sprintf("in %s namespace", ns)
		if o.allNamespaces {
			where = "in any namespace"
		}
		_, err := fmt.Fprintf(o.s.Err, "No surge plans found %s.\n", where)
		return err
	}
	return printPlans(o.s.Out, o.printFlags, plans, len(args) == 1, o.allNamespaces, o.now())
}

// printPlans writes plans as kubectl get would: a table, or the objects
// through cli-runtime's printers and custom columns (one object for a
// named plan, a List otherwise).
func printPlans(out io.Writer, pf *objectPrintFlags, plans []supportv1alpha1.SurgePlan, single, allNamespaces bool, now time.Time) error {
	if pf.isTable() {
		return planTable(out, plans, allNamespaces, pf.wide(), pf.noHeaders, now)
	}
	printer, err := pf.toPrinter()
	if err != nil {
		return err
	}
	if single {
		return printer.PrintObj(&plans[0], out)
	}
	// Each item says its kind, as the items of kubectl get's lists do.
	list := &supportv1alpha1.SurgePlanList{Items: make([]supportv1alpha1.SurgePlan, len(plans))}
	for i := range plans {
		list.Items[i] = plans[i]
		list.Items[i].SetGroupVersionKind(supportv1alpha1.GroupVersion.WithKind("SurgePlan"))
	}
	if pf.format() == "name" { // the name printer takes no typed list
		for i := range list.Items {
			if err := printer.PrintObj(&list.Items[i], out); err != nil {
				return err
			}
		}
		return nil
	}
	return printer.PrintObj(list, out)
}

// eventSummary is the plan's scheduled event now or next: an open one
// (running, or preparing and when it starts), else the next one and when
// its capacity must be ready.
func eventSummary(p *supportv1alpha1.SurgePlan, now time.Time) string {
	if len(p.Status.Events) > 0 { // ordered by start: the first matters most
		e := p.Status.Events[0]
		if e.Stage == supportv1alpha1.EventRunning {
			return fmt.Sprintf("%s running, ends in %s", e.Name, duration.HumanDuration(e.End.Sub(now)))
		}
		return fmt.Sprintf("%s preparing, starts in %s", e.Name, duration.HumanDuration(e.Start.Sub(now)))
	}
	if n := p.Status.NextEvent; n != nil {
		return fmt.Sprintf("%s ready in %s", n.Name, duration.HumanDuration(n.ReadyBy.Sub(now)))
	}
	return "<none>"
}

// planTable is the human view: one row per plan; wide adds the message.
func planTable(out io.Writer, plans []supportv1alpha1.SurgePlan, allNamespaces, wide, noHeaders bool, now time.Time) error {
	w := tabwriter.NewWriter(out, 0, 0, 3, ' ', 0)
	header := []string{"NAME", "MODE", "PHASE", "SINCE", "REASON", "QUEUES", "BOTS+", "AGENTS+", "EVENT"}
	if allNamespaces {
		header = append([]string{"NAMESPACE"}, header...)
	}
	if wide {
		header = append(header, "MESSAGE")
	}
	if !noHeaders {
		if _, err := fmt.Fprintln(w, strings.Join(header, "\t")); err != nil {
			return err
		}
	}
	for _, p := range plans {
		since := "<unknown>"
		if p.Status.Since != nil {
			since = duration.HumanDuration(now.Sub(p.Status.Since.Time))
		}
		queues := strings.Join(p.Status.Queues, ",")
		row := []string{p.Name, effectiveMode(&p, now), orNone(string(p.Status.Phase)), since, orNone(p.Status.Reason),
			truncate(orNone(queues), 40), fmt.Sprint(p.Status.Added.ChatbotReplicas), fmt.Sprint(p.Status.Added.AgentReplicas), eventSummary(&p, now)}
		if allNamespaces {
			row = append([]string{p.Namespace}, row...)
		}
		if wide {
			row = append(row, truncate(orNone(p.Status.Message), 80))
		}
		if _, err := fmt.Fprintln(w, strings.Join(row, "\t")); err != nil {
			return err
		}
	}
	return w.Flush()
}

// truncate cuts s to at most n characters (runes, so Korean or Japanese
// text stays valid UTF-8), marking the cut.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-3]) + "..."
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}
