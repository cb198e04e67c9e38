package tui

import (
	"context"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/keymap"
	"github.com/sluicehq/sluice/views/common"
)

// probeTab records what the root hands it, so routing can be checked.
type probeTab struct {
	id       common.TabID
	got      []tea.Msg
	width    int
	height   int
	capture  bool
	sessions int
	// short and full are the tab's key help.
	short []key.Binding
	full  [][]key.Binding
}

func (p *probeTab) ID() common.TabID { return p.id }
func (p *probeTab) Title() string {
	return []string{"Streams", "Shards", "DLQs", "Archives", "Metrics"}[p.id]
}
func (p *probeTab) Init() tea.Cmd { return nil }
func (p *probeTab) Update(msg tea.Msg) (common.Tab, tea.Cmd) {
	p.got = append(p.got, msg)
	if _, ok := msg.(common.SessionMsg); ok {
		p.sessions++
	}
	return p, nil
}
func (p *probeTab) View() string                { return "tab " + p.Title() }
func (p *probeTab) SetSize(w, h int)            { p.width, p.height = w, h }
func (p *probeTab) ShortHelp() []key.Binding    { return p.short }
func (p *probeTab) FullHelp() [][]key.Binding   { return p.full }
func (p *probeTab) Capturing() bool             { return p.capture }
func (p *probeTab) Completions(string) []string { return []string{"orders", "payments"} }

type routedMsg struct{ to common.TabID }

func (r routedMsg) RouteTo() common.TabID { return r.to }

func newApp(t *testing.T, readOnly bool) (*Model, []*probeTab) {
	t.Helper()
	_, e := backendtest.Open(t)
	s := backendtest.OpenOn(t, e, backend.Env{ReadOnly: readOnly})
	var probes []*probeTab
	m := New(Options{
		Profiles: []backend.Profile{s.Profile, {Name: "prod", Kind: backend.KindSSO, Region: "eu-west-1", Color: "red"}},
		Session:  s, Keys: keymap.Default(), Dark: true,
		Tabs: func(c *common.Common) []common.Tab {
			var tabs []common.Tab
			for i := common.StreamsTab; i <= common.MetricsTab; i++ {
				p := &probeTab{id: i}
				probes = append(probes, p)
				tabs = append(tabs, p)
			}
			return tabs
		},
	})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	return m, probes
}

func press(m *Model, keys ...string) tea.Cmd {
	var last tea.Cmd
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "enter":
			msg = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "esc":
			msg = tea.KeyPressMsg{Code: tea.KeyEscape}
		case "tab":
			msg = tea.KeyPressMsg{Code: tea.KeyTab}
		case "shift+tab":
			msg = tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
		case "ctrl+c":
			msg = tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
		default:
			msg = tea.KeyPressMsg{Code: []rune(k)[0], Text: k}
		}
		_, last = m.Update(msg)
	}
	return last
}

func TestTabKeysAndRouting(t *testing.T) {
	m, probes := newApp(t, false)
	if probes[0].width != 100 || probes[0].height != 27 {
		t.Fatalf("tab size %dx%d, want 100x27", probes[0].width, probes[0].height)
	}
	press(m, "3")
	if m.Active().ID() != common.DLQTab {
		t.Fatalf("3 opened %v", m.Active().ID())
	}
	press(m, "tab", "tab")
	if m.Active().ID() != common.MetricsTab {
		t.Fatalf("tab tab opened %v", m.Active().ID())
	}
	press(m, "shift+tab")
	if m.Active().ID() != common.ArchivesTab {
		t.Fatalf("shift+tab opened %v", m.Active().ID())
	}
	press(m, "j")
	if last := probes[3].got[len(probes[3].got)-1]; last.(tea.KeyPressMsg).String() != "j" {
		t.Fatalf("archives got %v", last)
	}
	// A data message goes to its tab even when another is showing.
	m.Update(routedMsg{to: common.ShardsTab})
	if _, ok := probes[1].got[len(probes[1].got)-1].(routedMsg); !ok {
		t.Fatal("routed message did not reach the shards tab")
	}
	// A click on the tab bar switches.
	m.Update(tea.MouseClickMsg{X: 1, Y: 0})
	if m.Active().ID() != common.StreamsTab {
		t.Fatalf("click opened %v", m.Active().ID())
	}
}

func TestCapturingTabGetsGlobalKeys(t *testing.T) {
	m, probes := newApp(t, false)
	probes[0].capture = true
	press(m, "q", "3")
	if m.quitting || m.Active().ID() != common.StreamsTab {
		t.Fatal("q or 3 acted globally while the tab was capturing text")
	}
	if cmd := press(m, "ctrl+c"); cmd == nil || !m.quitting {
		t.Fatal("ctrl+c must always quit")
	}
}

func TestStatusBarSaysWhereYouAre(t *testing.T) {
	m, _ := newApp(t, true)
	m.Update(identityMsg{gen: m.Env().Gen, id: backend.Identity{Account: "000000000000"}})
	bar := ansi.Strip(m.statusBar())
	for _, want := range []string{"local", "us-east-1", "000000000000", "127.0.0.1", "READ-ONLY"} {
		if !strings.Contains(bar, want) {
			t.Errorf("status bar %q lacks %q", bar, want)
		}
	}
	m.Update(common.StatusMsg{Text: "boom \x1b]52;c;aGk=\x07\x1b[2J", Level: common.Failure})
	if v := m.render(); strings.Contains(v, "\x1b]52") || strings.Contains(v, "\x1b[2J") {
		t.Fatal("an error message reached the terminal as escapes")
	}
	for _, l := range strings.Split(ansi.Strip(m.render()), "\n") {
		if w := ansi.StringWidth(l); w > 100 {
			t.Errorf("line wider than the screen (%d): %q", w, l)
		}
	}
	if n := len(strings.Split(m.render(), "\n")); n != 30 {
		t.Errorf("%d lines, want 30", n)
	}
}

func TestConfirmDefaultsToNoAndReadOnlyRefuses(t *testing.T) {
	m, _ := newApp(t, false)
	ran := false
	onYes := func() tea.Msg { ran = true; return nil }
	m.Update(common.ConfirmRequest{Title: "Purge orders-dlq", Lines: []string{"deletes every message"}, OnYes: onYes})
	if m.overlay != overlayConfirm || !strings.Contains(ansi.Strip(m.render()), "Purge orders-dlq") {
		t.Fatal("no dialog")
	}
	if cmd := press(m, "enter"); cmd != nil || m.overlay != overlayNone {
		t.Fatal("enter on a fresh dialog must answer No")
	}
	m.Update(common.ConfirmRequest{Title: "Purge", OnYes: onYes})
	cmd := press(m, "y")
	if cmd == nil {
		t.Fatal("y did not run the action")
	}
	cmd()
	if !ran {
		t.Fatal("action not run")
	}

	ro, _ := newApp(t, true)
	ro.Update(common.ConfirmRequest{Title: "Purge orders-dlq", OnYes: onYes})
	if ro.overlay == overlayConfirm || !strings.Contains(ro.status.Text, "read-only") {
		t.Fatalf("read-only opened a dialog; status %q", ro.status.Text)
	}
}

func TestPaletteCompletesAndRuns(t *testing.T) {
	m, _ := newApp(t, false)
	press(m, ":", "t", "a")
	if got := m.palette.choices; len(got) != 1 || got[0] != "tail" {
		t.Fatalf("choices %v", got)
	}
	press(m, "tab", "o")
	if m.palette.input != "tail o" || len(m.palette.choices) != 1 || m.palette.choices[0] != "orders" {
		t.Fatalf("input %q choices %v", m.palette.input, m.palette.choices)
	}
	press(m, "tab")
	cmd := press(m, "enter")
	msg := cmd()
	open, ok := msg.(common.OpenMsg)
	if !ok || open.Tab != common.ShardsTab || open.Target != "orders" {
		t.Fatalf("ran %#v", msg)
	}
	if _, ok := open.Extra.(common.TailAll); !ok {
		t.Fatal(":tail does not ask for a tail of every shard")
	}
	press(m, ":", "c", "o", "n", "s", "tab", "o", "tab")
	open, ok = press(m, "enter")().(common.OpenMsg)
	if _, show := open.Extra.(common.ShowConsumers); !ok || open.Tab != common.StreamsTab || open.Target != "orders" || !show {
		t.Fatalf(":consumers orders ran %#v", open)
	}
	press(m, ":", "p", "r", "o", "f", "i", "l", "e", " ", "n", "o", "p", "e")
	msg = press(m, "enter")()
	if st, ok := msg.(common.StatusMsg); !ok || st.Level != common.Failure {
		t.Fatalf(":profile nope gave %#v", msg)
	}
}

func TestProfileSwitchRebuildsWithoutRestart(t *testing.T) {
	_, e := backendtest.Open(t)
	first := backendtest.OpenOn(t, e, backend.Env{})
	var probes []*probeTab
	opened := ""
	m := New(Options{
		Profiles: []backend.Profile{first.Profile, {Name: "other", Kind: backend.KindLocal, Region: "eu-west-1"}},
		Session:  first, Keys: keymap.Default(), Dark: true,
		Open: func(ctx context.Context, p backend.Profile, region string, ro bool) (*backend.Session, error) {
			opened = p.Name
			return backendtest.OpenOn(t, e, backend.Env{Region: "eu-west-1"}), nil
		},
		Tabs: func(c *common.Common) []common.Tab {
			p := &probeTab{id: common.StreamsTab}
			probes = append(probes, p)
			return []common.Tab{p}
		},
	})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	before := m.Env().Context()
	press(m, "P", "j")
	cmd := press(m, "enter")
	if cmd == nil {
		t.Fatal("no switch")
	}
	m.Update(cmd())
	if opened != "other" || m.Env().Session.Region != "eu-west-1" || m.Env().Gen != 2 || probes[0].sessions != 1 {
		t.Fatalf("opened %q region %q gen %d sessions %d", opened, m.Env().Session.Region, m.Env().Gen, probes[0].sessions)
	}
	if !strings.Contains(ansi.Strip(m.statusBar()), "eu-west-1") {
		t.Errorf("status bar %q", ansi.Strip(m.statusBar()))
	}
	// Calls made for the old session end; the new session's run until quit.
	after := m.Env().Context()
	if before.Err() == nil || after.Err() != nil {
		t.Fatalf("after the switch: old session's context %v, new one's %v", before.Err(), after.Err())
	}
	press(m, "q")
	if after.Err() == nil {
		t.Fatal("quitting left the session's calls running")
	}
}

func TestNoColorDrawsNoColour(t *testing.T) {
	_, e := backendtest.Open(t)
	s := backendtest.OpenOn(t, e, backend.Env{})
	m := New(Options{Session: s, Keys: keymap.Default(), NoColor: true, Dark: true,
		Tabs: func(c *common.Common) []common.Tab { return []common.Tab{&probeTab{}} }})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	if v := m.render(); strings.Contains(v, "38;2;") || strings.Contains(v, "48;2;") {
		t.Fatalf("colour under NO_COLOR: %q", v[:min(len(v), 300)])
	}
}

func TestALongStatusIsShownWholeInTheFooterUntilTheNextKey(t *testing.T) {
	m, _ := newApp(t, false)
	long := "replay orders-to-api/2026/11/27/13/cus-04626-1795786844171-1e0722a9d.json to http://127.0.0.1:37503/orders: HTTP 400 Bad Request"
	m.Update(common.StatusMsg{Text: long, Level: common.Failure})
	lines := strings.Split(ansi.Strip(m.render()), "\n")
	if footer := lines[len(lines)-1]; !strings.Contains(footer, "HTTP 400 Bad Request") {
		t.Fatalf("footer %q does not show the whole message", footer)
	}
	press(m, "j")
	lines = strings.Split(ansi.Strip(m.render()), "\n")
	if footer := lines[len(lines)-1]; strings.Contains(footer, "HTTP 400") || !strings.Contains(footer, "quit") {
		t.Fatalf("after a key the footer is %q, want the help back", footer)
	}
}

func TestPasteGoesWhereKeysGo(t *testing.T) {
	m, probes := newApp(t, false)
	pasted := func(p *probeTab) int {
		n := 0
		for _, msg := range p.got {
			if _, ok := msg.(tea.PasteMsg); ok {
				n++
			}
		}
		return n
	}
	m.Update(tea.PasteMsg{Content: ".status"})
	if pasted(probes[0]) != 1 || pasted(probes[1]) != 0 {
		t.Fatalf("paste reached the active tab %d times, a hidden one %d times", pasted(probes[0]), pasted(probes[1]))
	}
	press(m, ":")
	m.Update(tea.PasteMsg{Content: "tail\n orders"})
	if m.palette.input != "tail orders" || pasted(probes[0]) != 1 {
		t.Fatalf("palette input %q; tab got %d pastes", m.palette.input, pasted(probes[0]))
	}
}

func TestSwitchingTabsTellsTheTabLeftAndTheTabShown(t *testing.T) {
	m, probes := newApp(t, false)
	focus := func(p *probeTab) []bool {
		var got []bool
		for _, msg := range p.got {
			if f, ok := msg.(common.FocusMsg); ok {
				got = append(got, f.Focused)
			}
		}
		return got
	}
	if f := focus(probes[0]); len(f) != 1 || !f[0] {
		t.Fatalf("the first tab was told %v at start", f)
	}
	if f := focus(probes[4]); len(f) != 1 || f[0] {
		t.Fatalf("a hidden tab was told %v at start", f)
	}
	press(m, "5")
	if f := focus(probes[0]); len(f) != 2 || f[1] {
		t.Fatalf("the tab left was told %v", f)
	}
	if f := focus(probes[4]); len(f) != 2 || !f[1] {
		t.Fatalf("the tab shown was told %v", f)
	}
	press(m, "5")
	if len(focus(probes[4])) != 2 {
		t.Fatal("pressing the shown tab's key told it again")
	}
}

// TestStatusBarClearsAnOldFailureOnTheNextSuccess: the status bar is for
// news; a failure stays only until something works again.
func TestStatusBarClearsAnOldFailureOnTheNextSuccess(t *testing.T) {
	m, _ := newApp(t, false)
	m.Update(common.StatusMsg{Text: "put record: throttled", Level: common.Failure})
	if !strings.Contains(ansi.Strip(m.render()), "put record: throttled") {
		t.Fatal("the failure is not shown")
	}
	m.Update(common.SucceededMsg{})
	if strings.Contains(ansi.Strip(m.render()), "throttled") {
		t.Fatal("the failure stayed after a later success")
	}
	m.Update(common.StatusMsg{Text: "copied the ARN", Level: common.Success})
	m.Update(common.SucceededMsg{})
	if !strings.Contains(ansi.Strip(m.render()), "copied the ARN") {
		t.Fatal("a success was cleared")
	}
	// A warning answers what the operator did (a hydration's leftovers):
	// a list read in the background does not make it old.
	m.Update(common.StatusMsg{Text: "2 arrived since the browse, left in the queue", Level: common.Warning})
	m.Update(common.SucceededMsg{})
	if !strings.Contains(ansi.Strip(m.render()), "left in the queue") {
		t.Fatal("a warning was cleared by a background read")
	}
}
