package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/apimachinery/pkg/watch"
	watchtools "k8s.io/client-go/tools/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
)

type topOptions struct {
	*surgeOptions
	// topPrint: "" or wide for the view; json, yaml, name, jsonpath,
	// go-template, custom-columns: the queues and plans as a List through
	// cli-runtime's printers.
	topPrint *objectPrintFlags
	watch    bool
	interval time.Duration
	duration time.Duration
	all      bool
}

// extremes remembers what a watch saw, for the summary.
type extremes struct {
	maxAgents, maxBots map[string]int32
	maxInflow          map[string]int64
	minSL              map[string]string
	firstSurge         time.Time
}

func newTopCommand(so *surgeOptions) *cobra.Command {
	o := &topOptions{surgeOptions: so, topPrint: newObjectPrintFlags()}
	cmd := &cobra.Command{
		Use:   "top",
		Short: "Live view of queues and surge plans",
		Long: `top shows, per queue, inflow, agents and bots (ready/desired), predicted
service level against target and surge state, then each plan's phase. With
--watch it follows changes through the watch API (redrawing in place on a
terminal, one view after another in a pipe); with --for it stops by itself
and prints a summary. -o wide adds sized-for inflow, backlog, handle time
and readiness; the other -o formats print the queues and plans once, as a
List of objects.`,
		Example: `  kubectl frontline top -n exchange --watch
  kubectl frontline top -n exchange --watch --for 6m
  kubectl frontline top -A -o custom-columns=KIND:.kind,NAME:.metadata.name,PHASE:.status.phase`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context()) },
	}
	cmd.Flags().BoolVarP(&o.watch, "watch", "w", false, "Refresh until interrupted (or --for).")
	cmd.Flags().DurationVar(&o.interval, "interval", 2*time.Second, "With --watch: the least time between two redraws (changes arrive through the watch API).")
	cmd.Flags().DurationVar(&o.duration, "for", 0, "With --watch: stop after this long and print a summary.")
	cmd.Flags().BoolVarP(&o.all, "all-namespaces", "A", false, "All namespaces.")
	o.topPrint.addFlags(cmd)
	return cmd
}

func (o *topOptions) run(ctx context.Context) error {
	if o.interval < 200*time.Millisecond {
		return &flagError{"interval", "must be at least 200ms"}
	}
	if err := o.topPrint.check(); err != nil {
		return err
	}
	if o.watch && !o.topPrint.isTable() {
		return &flagError{"output", "only wide goes with --watch (the other formats print the objects once)"}
	}
	c, ns, err := o.client()
	if err != nil {
		return err
	}
	if o.all {
		ns = ""
	}
	if ctx == nil {
		ctx = context.Background()
	}
	seen := &extremes{maxAgents: map[string]int32{}, maxBots: map[string]int32{}, maxInflow: map[string]int64{}, minSL: map[string]string{}}
	start := o.now()
	view := &topView{queues: map[string]supportv1alpha1.SupportQueue{}, plans: map[string]supportv1alpha1.SurgePlan{}}
	rvQueues, rvPlans, err := view.list(ctx, c, ns)
	if err != nil {
		return err
	}
	style := topStyle{allNamespaces: o.all, wide: o.topPrint.wide(), noHeaders: o.topPrint.noHeaders}
	if !o.topPrint.isTable() {
		queues, plans := view.items()
		return printTopObjects(o.s.Out, o.topPrint, queues, plans)
	}
	if !o.watch {
		queues, plans := view.items()
		return renderTop(o.s.Out, queues, plans, o.now(), seen, style)
	}
	// Watch: the view follows the apiserver's watch events and is drawn
	// again at most every --interval, only when something changed. The
	// apiserver closes watches routinely (timeouts, restarts, load
	// balancers): client-go's RetryWatcher resumes from the last
	// resourceVersion, and a version too old to resume lists again.
	qw, pw, err := watchBoth(ctx, c, ns, rvQueues, rvPlans)
	if err != nil {
		return err
	}
	defer func() { qw.Stop(); pw.Stop() }()
	tick := time.NewTicker(o.interval)
	defer tick.Stop()
	terminal := isTerminal(o.s.Out)
	dirty := true
	for {
		if dirty {
			if err := o.draw(view, start, seen, terminal, style); err != nil {
				return err
			}
			dirty = false
		}
		if o.duration > 0 && o.now().Sub(start) >= o.duration {
			_, plans := view.items()
			return renderSummary(o.s.Out, seen, plans)
		}
		var ev watch.Event
		var ok bool
		select {
		case <-ctx.Done():
			return nil
		case ev, ok = <-qw.ResultChan():
		case ev, ok = <-pw.ResultChan():
		case <-tick.C:
			dirty = view.changed
			view.changed = false
			continue
		}
		if ok && ev.Type != watch.Error {
			view.apply(ev)
			continue
		}
		if ok {
			if err := expiredOr(ev); err != nil {
				return err
			}
		}
		// The watch ended for good (its version expired): list again.
		qw.Stop()
		pw.Stop()
		if rvQueues, rvPlans, err = view.list(ctx, c, ns); err != nil {
			return err
		}
		if qw, pw, err = watchBoth(ctx, c, ns, rvQueues, rvPlans); err != nil {
			return err
		}
	}
}

// printTopObjects prints the queues and plans as one List (queues first,
// each by namespace and name) through the -o printer.
func printTopObjects(out io.Writer, pf *objectPrintFlags, queues []supportv1alpha1.SupportQueue, plans []supportv1alpha1.SurgePlan) error {
	printer, err := pf.toPrinter()
	if err != nil {
		return err
	}
	sort.Slice(queues, func(i, j int) bool {
		return queues[i].Namespace+"/"+queues[i].Name < queues[j].Namespace+"/"+queues[j].Name
	})
	list := &unstructured.UnstructuredList{Object: map[string]any{"apiVersion": "v1", "kind": "List"}}
	add := func(obj runtime.Object, kind string) error {
		u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
		if err != nil {
			return err
		}
		item := unstructured.Unstructured{Object: u}
		item.SetAPIVersion(supportv1alpha1.GroupVersion.String())
		item.SetKind(kind)
		list.Items = append(list.Items, item)
		return nil
	}
	for i := range queues {
		if err := add(&queues[i], "SupportQueue"); err != nil {
			return err
		}
	}
	for i := range plans {
		if err := add(&plans[i], "SurgePlan"); err != nil {
			return err
		}
	}
	return printer.PrintObj(list, out)
}

// watchBoth follows queues and plans from the versions listed.
func watchBoth(ctx context.Context, c client.WithWatch, ns, rvQueues, rvPlans string) (queues, plans watch.Interface, err error) {
	if queues, err = retryWatch(ctx, c, ns, &supportv1alpha1.SupportQueueList{}, rvQueues, ""); err != nil {
		return nil, nil, err
	}
	if plans, err = retryWatch(ctx, c, ns, &supportv1alpha1.SurgePlanList{}, rvPlans, ""); err != nil {
		queues.Stop()
		return nil, nil, err
	}
	return queues, plans, nil
}

// retryWatch is a watch of list's kind (of the objects the field selector
// selects, if any) that survives the apiserver closing it.
func retryWatch(ctx context.Context, c client.WithWatch, ns string, list client.ObjectList, rv, fieldSelector string) (watch.Interface, error) {
	return watchtools.NewRetryWatcherWithContext(ctx, rv, watcherFunc(func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
		opts.FieldSelector = fieldSelector
		return c.Watch(ctx, list.DeepCopyObject().(client.ObjectList), client.InNamespace(ns), &client.ListOptions{Raw: &opts})
	}))
}

// expiredOr is nil for the error event of a watch whose resourceVersion
// has expired (list again and watch from there), else the error the
// apiserver sent (a watch refused by RBAC, say), to report.
func expiredOr(ev watch.Event) error {
	err := apierrors.FromObject(ev.Object)
	if apierrors.IsResourceExpired(err) || apierrors.IsGone(err) {
		return nil
	}
	return fmt.Errorf("watch: %w", err)
}

// watcherFunc is a cache.WatcherWithContext.
type watcherFunc func(context.Context, metav1.ListOptions) (watch.Interface, error)

func (f watcherFunc) WatchWithContext(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
	return f(ctx, o)
}

// draw writes the view: on a terminal over the previous one, elsewhere (a
// pipe, a file) one after another with a timestamp line, no control codes.
func (o *topOptions) draw(view *topView, start time.Time, seen *extremes, terminal bool, style topStyle) error {
	clear := ""
	if terminal {
		clear = "\033[H\033[2J"
	}
	if _, err := fmt.Fprintf(o.s.Out, "%s%s  (watching, %s elapsed)\n\n", clear, o.now().Format("15:04:05"), duration.HumanDuration(o.now().Sub(start))); err != nil {
		return err
	}
	queues, plans := view.items()
	if err := renderTop(o.s.Out, queues, plans, o.now(), seen, style); err != nil {
		return err
	}
	if !terminal {
		_, err := fmt.Fprintln(o.s.Out)
		return err
	}
	return nil
}

// isTerminal reports whether w is a terminal (clear codes only there).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// topView is what top shows, kept current from watch events.
type topView struct {
	queues  map[string]supportv1alpha1.SupportQueue
	plans   map[string]supportv1alpha1.SurgePlan
	changed bool
}

// list replaces the view with what the apiserver holds and returns the
// lists' resourceVersions, where watches start.
func (v *topView) list(ctx context.Context, c client.Client, ns string) (queuesRV, plansRV string, err error) {
	var queues supportv1alpha1.SupportQueueList
	var plans supportv1alpha1.SurgePlanList
	if err := c.List(ctx, &queues, client.InNamespace(ns)); err != nil {
		return "", "", err
	}
	if err := c.List(ctx, &plans, client.InNamespace(ns)); err != nil {
		return "", "", err
	}
	v.queues = make(map[string]supportv1alpha1.SupportQueue, len(queues.Items))
	v.plans = make(map[string]supportv1alpha1.SurgePlan, len(plans.Items))
	for _, q := range queues.Items {
		v.queues[q.Namespace+"/"+q.Name] = q
	}
	for _, p := range plans.Items {
		v.plans[p.Namespace+"/"+p.Name] = p
	}
	v.changed = true
	return queues.ResourceVersion, plans.ResourceVersion, nil
}

func (v *topView) apply(ev watch.Event) {
	switch o := ev.Object.(type) {
	case *supportv1alpha1.SupportQueue:
		if ev.Type == watch.Deleted {
			delete(v.queues, o.Namespace+"/"+o.Name)
		} else {
			v.queues[o.Namespace+"/"+o.Name] = *o
		}
	case *supportv1alpha1.SurgePlan:
		if ev.Type == watch.Deleted {
			delete(v.plans, o.Namespace+"/"+o.Name)
		} else {
			v.plans[o.Namespace+"/"+o.Name] = *o
		}
	default:
		return // bookmarks, errors: nothing to show
	}
	v.changed = true
}

func (v *topView) items() ([]supportv1alpha1.SupportQueue, []supportv1alpha1.SurgePlan) {
	queues := make([]supportv1alpha1.SupportQueue, 0, len(v.queues))
	for _, q := range v.queues {
		queues = append(queues, q)
	}
	plans := make([]supportv1alpha1.SurgePlan, 0, len(v.plans))
	for _, p := range v.plans {
		plans = append(plans, p)
	}
	sort.Slice(plans, func(i, j int) bool { return plans[i].Namespace+plans[i].Name < plans[j].Namespace+plans[j].Name })
	return queues, plans
}

// topStyle is how top's view is drawn: a namespace column (-A), the wide
// columns, no header lines.
type topStyle struct {
	allNamespaces, wide, noHeaders bool
}

func renderTop(out io.Writer, queues []supportv1alpha1.SupportQueue, plans []supportv1alpha1.SurgePlan, now time.Time, seen *extremes, style topStyle) error {
	allNamespaces, wide := style.allNamespaces, style.wide
	sort.Slice(queues, func(i, j int) bool { return queues[i].Namespace+queues[i].Name < queues[j].Namespace+queues[j].Name })
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	nsCol := func(ns string) string {
		if allNamespaces {
			return ns + "\t"
		}
		return ""
	}
	wideCols := func(q supportv1alpha1.SupportQueue) string {
		if !wide {
			return ""
		}
		sized, backlog, aht := "-", "-", "-"
		if m := q.Status.Measured; m != nil {
			if m.SizedForInflowPerHour != nil {
				sized = fmt.Sprint(*m.SizedForInflowPerHour)
			}
			if m.Backlog != nil {
				backlog = fmt.Sprint(*m.Backlog)
			}
			if m.AverageHandleTime != nil {
				aht = m.AverageHandleTime.Duration.String()
			}
		}
		ready := "-"
		if c := meta.FindStatusCondition(q.Status.Conditions, supportv1alpha1.ConditionReady); c != nil {
			ready = string(c.Status)
		}
		return fmt.Sprintf("\t%s\t%s\t%s\t%s", sized, backlog, aht, ready)
	}
	header := nsCol("NAMESPACE") + "QUEUE\tCHANNEL\tINFLOW/H\tAGENTS\tBOTS\tSL (PRED/TARGET)\tSURGE\tMETRICS"
	if wide {
		header += "\tSIZED FOR/H\tBACKLOG\tAHT\tREADY"
	}
	if !style.noHeaders {
		_, _ = fmt.Fprintln(w, header)
	}
	for _, q := range queues {
		key := q.Namespace + "/" + q.Name
		inflow := "-"
		if m := q.Status.Measured; m != nil && m.InflowPerHour != nil {
			inflow = fmt.Sprint(*m.InflowPerHour)
			seen.maxInflow[key] = max(seen.maxInflow[key], *m.InflowPerHour)
		}
		sl := "-"
		if p := q.Status.Prediction; p != nil {
			sl = fmt.Sprintf("%s / %s", p.ServiceLevel, p.TargetServiceLevel)
			if cur, ok := seen.minSL[key]; !ok || string(p.ServiceLevel) < cur {
				seen.minSL[key] = string(p.ServiceLevel)
			}
		}
		bots := "-"
		if q.Spec.Chatbot != nil {
			bots = q.Status.Chatbot.Summary
			seen.maxBots[key] = max(seen.maxBots[key], q.Status.Chatbot.DesiredReplicas)
		}
		seen.maxAgents[key] = max(seen.maxAgents[key], q.Status.Agents.DesiredReplicas)
		surge := orDash(strings.Join(q.Status.ActiveSurgePlans, ","))
		metrics := "-"
		if c := meta.FindStatusCondition(q.Status.Conditions, supportv1alpha1.ConditionMetricsAvailable); c != nil {
			metrics = c.Reason
		}
		_, _ = fmt.Fprintf(w, "%s%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s%s\n", nsCol(q.Namespace), q.Name, q.Spec.Channel, inflow, orDash(q.Status.Agents.Summary), orDash(bots), sl, surge, metrics, wideCols(q))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if len(plans) == 0 {
		return nil
	}
	if _, err := fmt.Fprintln(out); err != nil {
		return err
	}
	w = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	if !style.noHeaders {
		_, _ = fmt.Fprintln(w, nsCol("NAMESPACE")+"PLAN\tMODE\tPHASE\tFOR\tWHY")
	}
	for _, p := range plans {
		since := "-"
		if p.Status.Since != nil {
			since = duration.HumanDuration(now.Sub(p.Status.Since.Time))
		}
		why := truncate(p.Status.Message, 90)
		if p.Status.Phase == supportv1alpha1.SurgePhaseActive && seen.firstSurge.IsZero() {
			seen.firstSurge = now
		}
		_, _ = fmt.Fprintf(w, "%s%s\t%s\t%s\t%s\t%s\n", nsCol(p.Namespace), p.Name, effectiveMode(&p, now), orDash(string(p.Status.Phase)), since, orDash(why))
	}
	return w.Flush()
}

func renderSummary(out io.Writer, seen *extremes, plans []supportv1alpha1.SurgePlan) error {
	if _, err := fmt.Fprintln(out, "\nSummary"); err != nil {
		return err
	}
	keys := make([]string, 0, len(seen.maxAgents))
	for k := range seen.maxAgents {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	_, _ = fmt.Fprintln(w, "QUEUE\tPEAK INFLOW/H\tPEAK AGENTS\tPEAK BOTS\tLOWEST PREDICTED SL")
	for _, k := range keys {
		_, _ = fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%s\n", k, seen.maxInflow[k], seen.maxAgents[k], seen.maxBots[k], orDash(seen.minSL[k]))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	w = tabwriter.NewWriter(out, 0, 0, 1, ' ', 0)
	for _, p := range plans {
		_, _ = fmt.Fprintf(w, "\nSurge plan %s transitions:\n", p.Name)
		for _, h := range p.Status.History {
			_, _ = fmt.Fprintf(w, "  %s\t%s -> %s\t%s:\t%s\n", h.Time.Format("15:04:05"), orDash(string(h.From)), h.To, h.Reason, h.Message)
		}
	}
	return w.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
