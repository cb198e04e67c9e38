// Package e2e runs the whole terminal UI — the root model and the five
// real tabs — as a Bubble Tea program under teatest, against the
// in-process engine, and reads the screen a terminal would show.
package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/backend/demo"
	"github.com/sluicehq/sluice/keymap"
	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
	"github.com/sluicehq/sluice/tui"
	"github.com/sluicehq/sluice/views/archives"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/dlq"
	"github.com/sluicehq/sluice/views/metrics"
	"github.com/sluicehq/sluice/views/shards"
	"github.com/sluicehq/sluice/views/streams"
)

// Deadlines: generous, since the engine, the demo and the UI share two
// cores (and the race detector slows them all).
const (
	shortWait = 15 * time.Second
	longWait  = 60 * time.Second
)

// engine starts the in-process engine with the short retry settings that
// make the demo's pipe give up on a poison record (and dead-letter it)
// within a second instead of a minute.
func engine(t *testing.T) *enginetest.Engine {
	t.Helper()
	return enginetest.Start(t, enginetest.WithOptions(func(o *localengine.Options) {
		o.RetryBase, o.RetryCap = 5*time.Millisecond, 50*time.Millisecond
	}))
}

// runDemo runs the demo pipeline (orders API, producer) on e until the
// test ends; onReady, when set, is called once its resources exist.
func runDemo(t *testing.T, e *enginetest.Engine, onReady func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	o := demo.Options{Endpoint: e.URL, Rate: 200, Seed: 7}
	if onReady != nil {
		o.OnReady = func(context.Context) { onReady() }
	}
	go func() { done <- demo.Run(ctx, o, nil) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("demo: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("demo did not stop")
		}
	})
}

// session opens the local profile on e over a transport the test closes
// before the engine shuts down, so that no idle connection holds it up.
func session(t *testing.T, e *enginetest.Engine, readOnly bool) *backend.Session {
	t.Helper()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	t.Cleanup(tr.CloseIdleConnections)
	return backendtest.OpenOn(t, e, backend.Env{ReadOnly: readOnly, HTTPClient: &http.Client{Transport: bodyOnly{tr}}})
}

// bodyOnly hides a request body's WriteTo, as enginetest.HTTPClient does
// (see there why).
type bodyOnly struct{ base http.RoundTripper }

func (r bodyOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		clone := *req
		clone.Body = struct{ io.ReadCloser }{req.Body}
		req = &clone
	}
	return r.base.RoundTrip(req)
}

// tabs are the five tabs, as cmd/sluice builds them.
func tabs(c *common.Common) []common.Tab {
	return []common.Tab{streams.New(c), shards.New(c), dlq.New(c), archives.New(c), metrics.New(c)}
}

// newModel builds the root model as runTUI does, on s.
func newModel(s *backend.Session, cfg config.File) *tui.Model {
	return tui.New(tui.Options{
		Profiles: []backend.Profile{s.Profile}, Session: s, Config: cfg, Keys: keymap.Default(),
		Tabs: tabs, ReadOnly: s.ReadOnly(), Dark: true,
	})
}

// recorder wraps the root model to keep the content of every frame it
// draws: the last one (to compare with what the terminal shows) and any
// that held a forbidden byte sequence.
type recorder struct {
	*tui.Model
	mu     sync.Mutex
	frames int
	last   string
	forbid []string
	bad    []string
	// watch, when set, keeps every frame (as text) that holds it, however
	// briefly it was shown.
	watch   string
	watched []string
}

// watchFor starts keeping the frames that hold text.
func (r *recorder) watchFor(text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.watch, r.watched = text, nil
}

// watchedFrames are the frames kept since watchFor.
func (r *recorder) watchedFrames() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.watched)
}

func (r *recorder) Init() tea.Cmd { return r.Model.Init() }

func (r *recorder) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := r.Model.Update(msg)
	return r, cmd
}

func (r *recorder) View() tea.View {
	v := r.Model.View()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.frames++
	r.last = v.Content
	if r.watch != "" && strings.Contains(v.Content, r.watch) {
		r.watched = append(r.watched, stripped(v.Content))
	}
	plain := stripped(v.Content)
	for _, f := range r.forbid {
		// Raw, for escape sequences; as the terminal shows it, for
		// text that styles may split.
		if strings.Contains(v.Content, f) || strings.Contains(plain, f) {
			r.bad = append(r.bad, fmt.Sprintf("frame %d holds %q", r.frames, f))
		}
	}
	return v
}

func (r *recorder) lastFrame() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// app is the program running under teatest, and the terminal it draws on.
type app struct {
	t    *testing.T
	tm   *teatest.TestModel
	rec  *recorder
	term *vt
	raw  []byte // every byte the program wrote, in order
	done bool
}

// start runs the UI on s at w × h with a fixed colour profile and
// terminal type, so that the bytes written do not depend on where the
// test runs. The program is quit when the test ends, before the engine
// shuts down.
func start(t *testing.T, s *backend.Session, cfg config.File, w, h int, forbid ...string) *app {
	t.Helper()
	return startModel(t, newModel(s, cfg), w, h, forbid...)
}

// startModel is start with the root model m.
func startModel(t *testing.T, m *tui.Model, w, h int, forbid ...string) *app {
	t.Helper()
	rec := &recorder{Model: m, forbid: forbid}
	a := &app{t: t, rec: rec, term: newVT(w, h)}
	a.tm = teatest.NewTestModel(t, rec, teatest.WithInitialTermSize(w, h), teatest.WithProgramOptions(
		tea.WithColorProfile(colorprofile.TrueColor),
		tea.WithEnvironment([]string{"TERM=xterm-256color"}),
	))
	t.Cleanup(func() {
		if !a.done {
			_ = a.tm.Quit()
			a.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second), teatest.WithTimeoutFn(func(tb testing.TB) {
				tb.Error("the program did not stop")
			}))
		}
	})
	return a
}

// keyMsg is the key press a terminal would send for k.
func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "ctrl+r":
		return tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	case "ctrl+g":
		return tea.KeyPressMsg{Code: 'g', Mod: tea.ModCtrl}
	}
	r := []rune(k)
	return tea.KeyPressMsg{Code: r[0], Text: k}
}

// press sends key presses, in order.
func (a *app) press(keys ...string) {
	for _, k := range keys {
		a.tm.Send(keyMsg(k))
	}
}

// command types a palette command and runs it.
func (a *app) command(line string) {
	a.press(":")
	a.tm.Type(line)
	a.press("enter")
}

// feed plays bytes the program wrote on the terminal.
func (a *app) feed(b []byte) {
	a.raw = append(a.raw, b...)
	_, _ = a.term.Write(b)
}

// screen is what the terminal shows now.
func (a *app) screen() string { return a.term.Screen() }

// screenTB reports a WaitFor that timed out with the screen it saw
// instead of every byte the program wrote.
type screenTB struct {
	testing.TB
	a    *app
	what string
}

func (s screenTB) Fatal(args ...any) {
	s.TB.Helper()
	s.TB.Fatalf("waiting for %s: timed out; the screen shows:\n%s", s.what, s.a.screen())
}

// waitFor reads the program's output until cond holds for the screen,
// and returns that screen.
func (a *app) waitFor(what string, d time.Duration, cond func(screen string) bool) string {
	a.t.Helper()
	var got string
	fed := 0
	teatest.WaitFor(screenTB{a.t, a, what}, a.tm.Output(), func(b []byte) bool {
		a.feed(b[fed:])
		fed = len(b)
		got = a.screen()
		return cond(got)
	}, teatest.WithDuration(d), teatest.WithCheckInterval(20*time.Millisecond))
	return got
}

// waitText waits until the screen shows every one of texts.
func (a *app) waitText(d time.Duration, texts ...string) string {
	a.t.Helper()
	return a.waitFor(fmt.Sprintf("%q", texts), d, func(s string) bool {
		for _, x := range texts {
			if !strings.Contains(s, x) {
				return false
			}
		}
		return true
	})
}

// waitRefreshing is waitFor pressing ctrl+r every so often, for data the
// tab shows as of its last load.
func (a *app) waitRefreshing(what string, d time.Duration, cond func(screen string) bool) string {
	a.t.Helper()
	last := time.Now()
	return a.waitFor(what, d, func(s string) bool {
		if cond(s) {
			return true
		}
		if time.Since(last) > time.Second {
			a.press("ctrl+r")
			last = time.Now()
		}
		return false
	})
}

// quit presses q and checks that the program ends and gives the terminal
// back (the main screen again).
func (a *app) quit() {
	a.t.Helper()
	a.press("q")
	a.tm.WaitFinished(a.t, teatest.WithFinalTimeout(10*time.Second))
	a.done = true
	rest, err := io.ReadAll(a.tm.FinalOutput(a.t))
	if err != nil {
		a.t.Fatal(err)
	}
	a.feed(rest)
	if _, ok := a.tm.FinalModel(a.t).(*recorder); !ok {
		a.t.Fatalf("final model %T", a.tm.FinalModel(a.t))
	}
	if a.term.onAlt {
		a.t.Fatal("the program ended without leaving the alternate screen")
	}
}

// line is row y of a screen.
func line(screen string, y int) string {
	lines := strings.Split(screen, "\n")
	if y < 0 {
		y += len(lines)
	}
	if y < 0 || y >= len(lines) {
		return ""
	}
	return lines[y]
}

// lineWith is the first row of screen holding all of texts.
func lineWith(screen string, texts ...string) (string, bool) {
	for _, l := range strings.Split(screen, "\n") {
		ok := true
		for _, x := range texts {
			ok = ok && strings.Contains(l, x)
		}
		if ok {
			return l, true
		}
	}
	return "", false
}

// stripped is a frame as plain text, the way the terminal shows it.
func stripped(frame string) string { return ansi.Strip(frame) }
