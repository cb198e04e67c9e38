package backend

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sluicehq/sluice/backend/config"
)

// DefaultLocalScale multiplies the budget of the local profile: the
// engine runs on this machine for this user alone, so its budget is
// generous, but its calls still pass the same limiter.
const DefaultLocalScale = 100

// Recovery after a throttle: the rate halves at once, then climbs back a
// tenth of its limit each recoverStep without a throttle (AIMD), so that
// an account whose own traffic is busy is not hammered again at once.
const (
	recoverStep = time.Second
	// floorShare is the lowest share of its limit a rate halves to.
	floorShare = 1.0 / 64
)

// Clock is the budget's time: real in use, fake in tests so that a rate
// is checked by counting calls, not by timing them.
type Clock interface {
	Now() time.Time
	// Sleep waits d or until ctx ends, and returns ctx's error.
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time                                   { return time.Now() }
func (realClock) Sleep(ctx context.Context, d time.Duration) error { return Sleep(ctx, d) }

// APIKey names one bucket of the budget: an API in one account and
// region. Account is the credentials' account when they name one, else
// "profile NAME".
type APIKey struct {
	Account, Region, Service, Operation string
	// Local marks the local engine's calls (a generous scale).
	Local bool
}

// API is "Service.Operation".
func (k APIKey) API() string { return k.Service + "." + k.Operation }

// Budget is the client-side limiter of every AWS call: one token bucket
// per account, region and API, filled at the API's rate. A throttling
// answer halves that rate; it recovers gradually. Share one across
// sessions (profile switches) so that the same account keeps its state.
type Budget struct {
	clock      Clock
	scale      float64
	localScale float64
	// rates are the per-API rates after the config's overrides, by
	// "Service.Operation" and "Service.*".
	rates map[string]float64

	mu      sync.Mutex
	buckets map[APIKey]*bucket
}

// NewBudget builds the budget from the default table and cfg. An API of
// a service the table does not know is an error, so that a typo does not
// silently leave the default in force. A nil clock is the real one.
func NewBudget(cfg config.Budget, clock Clock) (*Budget, error) {
	if clock == nil {
		clock = realClock{}
	}
	b := &Budget{clock: clock, scale: cfg.Scale, localScale: cfg.LocalScale,
		rates: map[string]float64{}, buckets: map[APIKey]*bucket{}}
	if b.scale <= 0 {
		b.scale = 1
	}
	if b.localScale <= 0 {
		b.localScale = DefaultLocalScale
	}
	services := map[string]string{} // lower case → as the SDK spells it
	for _, l := range DefaultLimits {
		b.rates[l.Service+"."+l.Operation] = l.Rate
		services[strings.ToLower(l.Service)] = l.Service
	}
	for api, rate := range cfg.APIs {
		svc, op, ok := strings.Cut(api, ".")
		canon, known := services[strings.ToLower(svc)]
		switch {
		case !ok || op == "":
			return nil, fmt.Errorf("budget: %q is not Service.Operation (Kinesis.ListShards, SQS.*)", api)
		case !known:
			return nil, fmt.Errorf("budget: %q: unknown service %q: known services are %s", api, svc, strings.Join(sortedValues(services), ", "))
		case rate <= 0:
			return nil, fmt.Errorf("budget: %s: %v calls a second: want more than 0", api, rate)
		}
		b.rates[canon+"."+op] = rate
	}
	return b, nil
}

func sortedValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// Limit is the rate k is allowed when nothing throttles it.
func (b *Budget) Limit(k APIKey) float64 {
	r, ok := b.rates[k.API()]
	if !ok {
		if r, ok = b.rates[k.Service+".*"]; !ok {
			r = unknownRate
		}
	}
	r *= b.scale
	if k.Local {
		r *= b.localScale
	}
	return r
}

func (b *Budget) bucket(k APIKey) *bucket {
	b.mu.Lock()
	defer b.mu.Unlock()
	bk := b.buckets[k]
	if bk == nil {
		limit := b.Limit(k)
		bk = &bucket{limit: limit, rate: limit, tokens: burstOf(limit), last: b.clock.Now()}
		bk.adjusted = bk.last
		b.buckets[k] = bk
	}
	return bk
}

// Wait takes one token of k's bucket, waiting until there is one, and
// returns how long it waited. When ctx ends first the token is given
// back and ctx's error returned.
func (b *Budget) Wait(ctx context.Context, k APIKey) (time.Duration, error) {
	bk := b.bucket(k)
	d := bk.reserve(b.clock.Now())
	if d <= 0 {
		return 0, nil
	}
	if err := b.clock.Sleep(ctx, d); err != nil {
		bk.cancel()
		return 0, fmt.Errorf("waiting for the %s budget: %w", k.API(), err)
	}
	return d, nil
}

// Throttled slows k after AWS answered one of its calls with a
// throttling error: the rate halves, and the bucket is emptied.
func (b *Budget) Throttled(k APIKey) { b.bucket(k).throttled(b.clock.Now()) }

// BudgetState is one bucket as the call log and `sluice calls` show it.
type BudgetState struct {
	Account   string  `json:"account"`
	Region    string  `json:"region"`
	Service   string  `json:"service"`
	Operation string  `json:"operation"`
	Limit     float64 `json:"limit"`
	// Rate is the current rate: below Limit after a throttle.
	Rate   float64 `json:"rate"`
	Tokens float64 `json:"tokens"`
	Calls  int     `json:"calls"`
	// Waits counts the calls that waited for a token, Waited their
	// total wait.
	Waits     int           `json:"waits"`
	Waited    time.Duration `json:"waited"`
	Throttles int           `json:"throttles"`
}

// State is the state of k's bucket, as of now.
func (b *Budget) State(k APIKey) BudgetState {
	return b.bucket(k).state(k, b.clock.Now())
}

// States is every bucket used so far, by account, region and API.
func (b *Budget) States() []BudgetState {
	b.mu.Lock()
	keys := make([]APIKey, 0, len(b.buckets))
	for k := range b.buckets {
		keys = append(keys, k)
	}
	b.mu.Unlock()
	now := b.clock.Now()
	out := make([]BudgetState, 0, len(keys))
	for _, k := range keys {
		out = append(out, b.bucket(k).state(k, now))
	}
	slices.SortFunc(out, func(x, y BudgetState) int {
		return strings.Compare(x.Account+"\x00"+x.Region+"\x00"+x.Service+"."+x.Operation,
			y.Account+"\x00"+y.Region+"\x00"+y.Service+"."+y.Operation)
	})
	return out
}

// BudgetOf sums up what a call log says of the budget, per profile and
// API (Account holds the profile): the calls, those that waited and how
// long, the throttles, and the bucket as the last call left it. It reads
// a --log-calls file as well as a live log.
func BudgetOf(calls []Call) []BudgetState {
	type key struct{ profile, service, op string }
	by := map[key]*BudgetState{}
	var order []key
	for _, c := range calls {
		k := key{c.Profile, c.Service, c.Operation}
		st := by[k]
		if st == nil {
			st = &BudgetState{Account: c.Profile, Service: c.Service, Operation: c.Operation}
			by[k] = st
			order = append(order, k)
		}
		st.Calls++
		if c.Wait > 0 {
			st.Waits++
			st.Waited += c.Wait
		}
		if c.Limit > 0 {
			st.Limit, st.Rate, st.Tokens = c.Limit, c.Rate, c.Tokens
		}
		st.Throttles = max(st.Throttles, c.Throttles)
	}
	out := make([]BudgetState, 0, len(order))
	for _, k := range order {
		out = append(out, *by[k])
	}
	slices.SortFunc(out, func(x, y BudgetState) int {
		return strings.Compare(x.Account+"\x00"+x.Service+"."+x.Operation, y.Account+"\x00"+y.Service+"."+y.Operation)
	})
	return out
}
