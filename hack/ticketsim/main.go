// Command ticketsim exports Frontline's ticket metrics for several queues,
// driven by a market scenario (calm, btc-crash, slow-rise, noisy), for the
// demo and the end-to-end tests. Time can be compressed with --speed and
// the scenario switched over HTTP:
//
//	curl -XPOST 'localhost:9091/scenario?name=btc-crash'
//	curl localhost:9091/state
//
// Tickets arrive as a Poisson process. Tests drive single queues apart from
// the scenario with steps and ramps of the ticket counter:
//
//	curl -XPOST 'localhost:9091/queue?namespace=ns&queue=q&inflow_per_hour=6000&ramp=0s'
//	curl -XDELETE 'localhost:9091/queue?namespace=ns&queue=q'
//
// &pod= makes the series one replica's of a queue exported by several
// (its pod label): DELETE one replica's and POST it under a new pod name,
// and the queue has a restarted replica's new series beside the other's.
//
// Each queue's tickets are counted in ticketsim's own counter (via=counter,
// the default) or sent, each at its time, by a simulated Zendesk account
// as signed Zendesk webhooks to frontline-ingest (via=zendesk, with
// --zendesk-url and --zendesk-secret-file), which then exports the queue's
// series: created on creation, solved a handle time later (the ingest's
// backlog is the tickets open in between). --via sets it for the
// scenario's queues, &via= for a queue of /queue:
//
//	ticketsim --via zendesk --zendesk-url http://127.0.0.1:8080/webhooks/zendesk --zendesk-secret-file zendesk.secret
//	curl -XPOST 'localhost:9091/queue?namespace=ns&queue=q&inflow_per_hour=600&handle_seconds=60&via=zendesk'

package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/frontline-dev/frontline/internal/scenario"
	"github.com/frontline-dev/frontline/test/helpdesksim"
	"github.com/frontline-dev/frontline/test/ticketsim"
)

type queueFlag struct {
	ns, name     string
	base, handle float64
}

type queueFlags []queueFlag

func (q *queueFlags) String() string { return fmt.Sprint(*q) }

// Set parses namespace/name=inflowPerHour:handleSeconds.
func (q *queueFlags) Set(v string) error {
	key, val, ok := strings.Cut(v, "=")
	ns, name, ok2 := strings.Cut(key, "/")
	in, handle, ok3 := strings.Cut(val, ":")
	if !ok || !ok2 || !ok3 {
		return fmt.Errorf("want namespace/name=inflowPerHour:handleSeconds, got %q", v)
	}
	b, err1 := strconv.ParseFloat(in, 64)
	h, err2 := strconv.ParseFloat(handle, 64)
	if err1 != nil || err2 != nil || b < 0 || h <= 0 {
		return fmt.Errorf("bad numbers in %q", v)
	}
	*q = append(*q, queueFlag{ns, name, b, h})
	return nil
}

type state struct {
	mu sync.Mutex
	// override, when set, replaces the scenario's inflow multiplier and
	// price (tests step traffic exactly).
	override *[2]float64
	// pinned queues are driven by /queue, not by the scenario.
	pinned map[string]bool
	// scenarioQueues are the --queue flags' queues, exported as one series
	// each.
	scenarioQueues map[string]bool
	name           string
	scenario       scenario.Scenario
	started        time.Time
	speed          float64
	loop           bool
	current        map[string]float64
	// via is how the scenario's queues deliver their tickets; zendesk,
	// when not nil, is the simulated account that sends them as webhooks.
	via     string
	zendesk *helpdesksim.Zendesk
}

// tickets is where a queue's tickets go for a via: nil is the counter.
func (st *state) tickets(via string) (ticketsim.Tickets, error) {
	switch via {
	case "", "counter":
		return nil, nil
	case "zendesk":
		if st.zendesk == nil {
			return nil, fmt.Errorf("via=zendesk needs ticketsim started with --zendesk-url and --zendesk-secret-file")
		}
		return st.zendesk, nil
	}
	return nil, fmt.Errorf("via is counter or zendesk, not %q", via)
}

func main() {
	var queues queueFlags
	listen := flag.String("listen", "127.0.0.1:9091", "Address for /metrics, /state and /scenario.")
	name := flag.String("scenario", "calm", "Scenario: calm, btc-crash, slow-rise, noisy.")
	speed := flag.Float64("speed", 1, "Time compression: 2 runs the scenario twice as fast.")
	loop := flag.Bool("loop", false, "Start the scenario over when it ends.")
	seed := flag.Uint64("seed", 1, "Seed for the arrivals and the noisy scenario.")
	via := flag.String("via", "counter", "How the scenario's queues deliver tickets: counter (ticketsim's own series) or zendesk (signed Zendesk webhooks to --zendesk-url).")
	zendeskURL := flag.String("zendesk-url", "", "frontline-ingest's URL of a zendesk source, e.g. http://127.0.0.1:8080/webhooks/zendesk, for queues delivered via=zendesk.")
	zendeskSecret := flag.String("zendesk-secret-file", "", "The file holding that source's signing secret (its first line).")
	flag.Var(&queues, "queue", "namespace/name=inflowPerHour:handleSeconds (repeatable).")
	flag.Parse()
	if len(queues) == 0 {
		_ = queues.Set("exchange/retail-chat=600:240")
		_ = queues.Set("exchange/withdrawals-email=120:360")
		_ = queues.Set("exchange/vip-phone=60:300")
	}
	sc, err := scenario.NewScenario(*name, *seed)
	if err != nil {
		log.Fatal(err)
	}
	sim, err := ticketsim.StartOn(*listen, 100*time.Millisecond, *seed)
	if err != nil {
		log.Fatal(err)
	}
	st := &state{name: *name, scenario: sc, started: time.Now(), speed: *speed, loop: *loop, pinned: map[string]bool{}, via: *via, scenarioQueues: map[string]bool{}}
	for _, q := range queues {
		st.scenarioQueues[q.ns+"/"+q.name] = true
	}
	if *zendeskURL != "" {
		secret, err := readSecret(*zendeskSecret)
		if err != nil {
			log.Fatal(err)
		}
		st.zendesk = helpdesksim.NewZendesk(*zendeskURL, secret)
		defer st.zendesk.Close()
	}
	if _, err := st.tickets(*via); err != nil {
		log.Fatal(err)
	}
	sim.Mux.HandleFunc("/queue", st.queueHandler(sim))
	sim.Mux.HandleFunc("/scenario", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST /scenario?name=btc-crash", http.StatusMethodNotAllowed)
			return
		}
		sc, err := scenario.NewScenario(r.URL.Query().Get("name"), *seed)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		st.mu.Lock()
		st.name, st.scenario, st.started = r.URL.Query().Get("name"), sc, time.Now()
		st.mu.Unlock()
		_, _ = fmt.Fprintf(w, "scenario %s started\n", st.name)
	})
	sim.Mux.HandleFunc("/override", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST /override?inflow=5&price=51200 (no parameters clears)", http.StatusMethodNotAllowed)
			return
		}
		st.mu.Lock()
		defer st.mu.Unlock()
		in, price := r.URL.Query().Get("inflow"), r.URL.Query().Get("price")
		if in == "" {
			st.override = nil
			_, _ = fmt.Fprintln(w, "override cleared")
			return
		}
		m, err1 := strconv.ParseFloat(in, 64)
		p, err2 := strconv.ParseFloat(pick(price, "64000"), 64)
		if err1 != nil || err2 != nil || m < 0 || p <= 0 {
			http.Error(w, "inflow and price must be non-negative numbers", http.StatusBadRequest)
			return
		}
		st.override = &[2]float64{m, p}
		_, _ = fmt.Fprintf(w, "inflow x%g, price %g\n", m, p)
	})
	// /signal sets a frontline_sim_signal gauge: a step a queue's query
	// override can read exactly, for timing reactions.
	sim.Mux.HandleFunc("/signal", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		v, err := strconv.ParseFloat(q.Get("value"), 64)
		if r.Method != http.MethodPost || err != nil || q.Get("namespace") == "" || q.Get("queue") == "" || q.Get("signal") == "" {
			http.Error(w, "POST /signal?namespace=NS&queue=NAME&signal=inflow&value=0.5", http.StatusBadRequest)
			return
		}
		sim.Gauges.WithLabelValues(q.Get("namespace"), q.Get("queue"), q.Get("signal")).Set(v)
		_, _ = fmt.Fprintf(w, "%s %s/%s = %g\n", q.Get("signal"), q.Get("namespace"), q.Get("queue"), v)
	})
	sim.Mux.HandleFunc("/state", func(w http.ResponseWriter, _ *http.Request) {
		st.mu.Lock()
		defer st.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		out := map[string]any{"scenario": st.name, "elapsed": st.elapsed().String(), "values": st.current, "via": st.via}
		if st.zendesk != nil {
			out["zendesk"] = st.zendesk.Stats()
		}
		_ = json.NewEncoder(w).Encode(out)
	})
	log.Printf("ticketsim: scenario %s at %gx on http://%s/metrics, its tickets via %s", *name, *speed, sim.Address(), *via)
	if st.zendesk != nil {
		log.Printf("ticketsim: a simulated Zendesk account sends to %s", *zendeskURL)
	}

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		st.apply(sim, queues)
		select {
		case <-stop:
			sim.Close()
			return
		case <-tick.C:
		}
	}
}

// readSecret reads a signing secret: the file's first line.
func readSecret(path string) ([]byte, error) {
	if path == "" {
		return nil, fmt.Errorf("--zendesk-url needs --zendesk-secret-file")
	}
	raw, err := os.ReadFile(path) //nolint:gosec // the operator of this tool names the file
	if err != nil {
		return nil, err
	}
	first, _, _ := strings.Cut(string(raw), "\n")
	if first = strings.TrimSpace(first); first == "" {
		return nil, fmt.Errorf("%s: no secret on its first line", path)
	}
	return []byte(first), nil
}

func (st *state) elapsed() time.Duration {
	return time.Duration(float64(time.Since(st.started)) * st.speed)
}

func (st *state) apply(sim *ticketsim.Sim, queues queueFlags) {
	st.mu.Lock()
	defer st.mu.Unlock()
	t := st.elapsed()
	if l := st.scenario.Length(); st.loop && l > 0 && t >= l {
		st.started, t = time.Now(), 0
	}
	inflow, price, backlog := st.scenario.At(t)
	if o := st.override; o != nil {
		inflow, price, backlog = o[0], o[1], o[0]
	}
	st.current = map[string]float64{"inflowMultiplier": inflow, "btcPrice": price}
	via, _ := st.tickets(st.via) // checked at start
	for _, q := range queues {
		if st.pinned[q.ns+"/"+q.name] {
			continue
		}
		perHour := q.base * inflow
		// Via a helpdesk, the backlog is the tickets open (created, not yet
		// solved) as the ingest counts them, not the scenario's.
		sim.Set(q.ns, q.name, ticketsim.Queue{InflowPerHour: perHour, HandleTimeSeconds: q.handle, Backlog: float64(int(q.base / 60 * backlog)), Via: via})
		st.current[q.ns+"/"+q.name] = perHour
	}
	sim.Price.WithLabelValues("BTC-USDT").Set(price)
}

// queueHandler steps or ramps one queue's counter apart from the scenario
// (POST), or stops exporting it (DELETE).
func (st *state) queueHandler(sim *ticketsim.Sim) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		ns, name, pod := q.Get("namespace"), q.Get("queue"), q.Get("pod")
		usage := "POST /queue?namespace=NS&queue=NAME&inflow_per_hour=6000[&handle_seconds=60][&ramp=30s][&smooth=true][&via=counter|zendesk][&pod=REPLICA]; DELETE /queue?namespace=NS&queue=NAME[&pod=REPLICA]"
		if ns == "" || name == "" {
			http.Error(w, usage, http.StatusBadRequest)
			return
		}
		st.mu.Lock()
		defer st.mu.Unlock()
		switch r.Method {
		case http.MethodDelete:
			if pod != "" {
				sim.RemovePod(ns, name, pod)
				_, _ = fmt.Fprintf(w, "%s/%s pod %s removed\n", ns, name, pod)
				return
			}
			delete(st.pinned, ns+"/"+name)
			sim.Remove(ns, name)
			_, _ = fmt.Fprintf(w, "%s/%s removed\n", ns, name)
			return
		case http.MethodPost:
		default:
			http.Error(w, usage, http.StatusMethodNotAllowed)
			return
		}
		rate, err1 := strconv.ParseFloat(q.Get("inflow_per_hour"), 64)
		handle, err2 := strconv.ParseFloat(pick(q.Get("handle_seconds"), "0"), 64)
		ramp, err3 := time.ParseDuration(pick(q.Get("ramp"), "0s"))
		smooth, err4 := strconv.ParseBool(pick(q.Get("smooth"), "false"))
		if err1 != nil || err2 != nil || err3 != nil || err4 != nil || rate < 0 || handle < 0 || ramp < 0 {
			http.Error(w, usage, http.StatusBadRequest)
			return
		}
		via, err := st.tickets(q.Get("via"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if pod != "" && via != nil {
			http.Error(w, "pod= is for ticketsim's own counter: via a helpdesk the ingest's replicas export the series", http.StatusBadRequest)
			return
		}
		if pod != "" && st.scenarioQueues[ns+"/"+name] {
			// Its one series would go on counting beside the replicas'.
			http.Error(w, "pod= is for queues of /queue alone, not the scenario's --queue queues", http.StatusBadRequest)
			return
		}
		st.pinned[ns+"/"+name] = true
		sim.RampPod(ns, name, pod, ticketsim.Queue{InflowPerHour: rate, HandleTimeSeconds: handle, Smooth: smooth, Via: via}, ramp)
		_, _ = fmt.Fprintf(w, "%s/%s -> %g/h over %s via %s\n", ns, name, rate, ramp, pick(q.Get("via"), "counter"))
	}
}

func pick(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
