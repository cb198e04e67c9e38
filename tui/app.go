// Package tui is the root of the terminal UI: the tab bar, the status bar
// that always says where you are, help, the command palette, the profile
// picker, the call log and confirmations; it routes every message to the
// tab that owns it.
package tui

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/keymap"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/confirm"
	"github.com/sluicehq/sluice/views/theme"
)

// Opener opens a session for a profile, with a region override ("" keeps
// the profile's). cmd/sluice provides it, wired to the local engine.
type Opener func(ctx context.Context, p backend.Profile, region string, readOnly bool) (*backend.Session, error)

// TabFactory builds the tabs over the shared Common.
type TabFactory func(c *common.Common) []common.Tab

// Options configure the app.
type Options struct {
	// Context is the program's: every call the UI makes ends with it.
	// Nil reads as context.Background.
	Context  context.Context
	Profiles []backend.Profile
	Session  *backend.Session
	Config   config.File
	Keys     keymap.KeyMap
	Open     Opener
	// OpenOther opens a profile beside the one operated, for a copy's
	// destination: it is not remembered as the profile to start with,
	// and --readonly does not hold for it (its own readonly setting
	// does). Nil offers no copy.
	OpenOther func(ctx context.Context, p backend.Profile) (*backend.Session, error)
	Tabs      TabFactory
	// ReadOnly is --readonly: it holds across profile switches.
	ReadOnly bool
	// ArchiveFlag is --archive.
	ArchiveFlag string
	// NoColor drops colour (NO_COLOR).
	NoColor bool
	// Dark is the starting guess until the terminal answers.
	Dark bool
	// StartTab is the tab shown first.
	StartTab common.TabID
	// Version is the binary's version line, shown at the foot of help
	// (where a bug report looks for it).
	Version string
	// Notice is news for the status bar on start, such as the last used
	// profile no longer existing and another being opened instead.
	Notice string
}

// overlay is what covers the tabs, if anything.
type overlay int

const (
	overlayNone overlay = iota
	overlayHelp
	overlayPalette
	overlayProfiles
	overlayCalls
	overlayConfirm
	overlayTrace
)

// Model is the root model.
type Model struct {
	opts    Options
	styles  *theme.Styles
	keys    *keymap.KeyMap
	common  *common.Common
	tabs    []common.Tab
	active  int
	width   int
	height  int
	overlay overlay
	// helpTop is the first line of help in view.
	helpTop int

	status   common.StatusMsg
	statusAt time.Time
	// statusFresh holds until the next key: while it does, a status too
	// long for the bar is shown whole in the footer.
	statusFresh bool
	identity    backend.Identity
	identityErr string
	// deadline is the nearest data-loss deadline among the session's
	// DLQs, as the DLQs tab last computed it: the status bar warns of it
	// on every tab while it is under the warning threshold.
	deadline common.DeadlineMsg

	palette  palette
	picker   picker
	calls    callView
	dialog   confirm.Model
	onYes    tea.Cmd
	trace    traceView
	traceSeq int
	quitting bool

	// ctx is the root of every call's context, cancelled on quit;
	// endSession cancels the current session's, derived from it, when
	// the operator switches profile.
	ctx        context.Context
	endAll     context.CancelFunc
	endSession context.CancelFunc

	// tick is tea.Tick; tests send the timer's message themselves.
	tick func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
}

// New builds the root model.
func New(o Options) *Model {
	styles := theme.New(theme.Dark(), o.NoColor)
	if !o.Dark {
		styles = theme.New(theme.Light(), o.NoColor)
	}
	keys := o.Keys
	m := &Model{opts: o, styles: &styles, keys: &keys, tick: tea.Tick}
	m.ctx, m.endAll = context.WithCancel(cmp.Or(o.Context, context.Background()))
	env := &common.Env{Session: o.Session, Config: o.Config, ArchiveFlag: o.ArchiveFlag, Gen: 1, Profiles: o.Profiles}
	env.OpenOther = o.OpenOther
	if o.Session != nil {
		env.Inventory = inventory.New(o.Session, nil)
	}
	env.Ctx, m.endSession = context.WithCancel(m.ctx)
	m.common = &common.Common{Styles: m.styles, Keys: m.keys, Env: env}
	m.tabs = o.Tabs(m.common)
	for i, t := range m.tabs {
		if t.ID() == o.StartTab {
			m.active = i
		}
	}
	for i := range m.tabs {
		m.tabs[i], _ = m.tabs[i].Update(common.FocusMsg{Focused: i == m.active})
	}
	m.palette = newPalette()
	m.picker = newPicker(o.Profiles)
	if o.Notice != "" {
		m.setStatus(common.StatusMsg{Text: o.Notice, Level: common.Warning})
	}
	return m
}

// autoRefreshMsg is the root's timer for AutoRefreshMsg: every
// ClockEvery, so that each tab's "updated … ago" moves and each list is
// read again when its own Freshness says so (the tabs keep the cadence,
// not the timer: a tab shown between two ticks of a coarse timer kept
// what it read at start-up).
type autoRefreshMsg struct{}

func (m *Model) autoRefreshTick() tea.Cmd {
	return m.tick(common.ClockEvery, func(time.Time) tea.Msg { return autoRefreshMsg{} })
}

// identityMsg carries who the session is.
type identityMsg struct {
	gen int
	id  backend.Identity
	err error
}

func (m *Model) fetchIdentity() tea.Cmd {
	env := m.common.Env
	s, gen := env.Session, env.Gen
	if s == nil {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		id, err := s.Identity(ctx)
		return identityMsg{gen: gen, id: id, err: err}
	}
}

// Init starts every tab's first load, asks the terminal for its
// background, and asks who the session is.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor, m.fetchIdentity(), m.autoRefreshTick()}
	for _, t := range m.tabs {
		cmds = append(cmds, t.Init())
	}
	return tea.Batch(cmds...)
}

// Active is the focused tab.
func (m *Model) Active() common.Tab { return m.tabs[m.active] }

// Env is the current session environment.
func (m *Model) Env() *common.Env { return m.common.Env }

// Update routes a message: sizes to every tab, keys to the overlay or the
// global bindings then the focused tab, data to the tab that asked.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.resize()
		return m, nil
	case tea.BackgroundColorMsg:
		m.setDark(msg.IsDark())
		return m, nil
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	case tea.PasteMsg:
		return m, m.paste(msg)
	case tea.MouseClickMsg:
		if mouse := msg.Mouse(); mouse.Y == 0 && m.overlay == overlayNone {
			if i, ok := m.tabAt(mouse.X); ok {
				return m, m.switchTab(i)
			}
			return m, nil
		}
		return m, m.updateActive(msg)
	case tea.MouseWheelMsg:
		switch m.overlay {
		case overlayCalls:
			m.calls.scroll(msg.Mouse().Button == tea.MouseWheelDown)
			return m, nil
		case overlayHelp:
			if msg.Mouse().Button == tea.MouseWheelDown {
				m.helpKey(tea.KeyPressMsg{Code: tea.KeyDown})
			} else {
				m.helpKey(tea.KeyPressMsg{Code: tea.KeyUp})
			}
			return m, nil
		}
		return m, m.updateActive(msg)
	case identityMsg:
		if msg.gen == m.common.Env.Gen {
			m.identity, m.identityErr = msg.id, ""
			if msg.err != nil {
				m.identityErr = "?"
				m.setStatus(common.StatusMsg{Text: msg.err.Error(), Level: common.Failure, Retry: m.fetchIdentity()})
			}
		}
		return m, nil
	case common.StatusMsg:
		m.setStatus(msg)
		return m, nil
	case common.DeadlineMsg:
		if msg.Gen == m.common.Env.Gen {
			m.deadline = msg
		}
		return m, nil
	case common.SucceededMsg:
		// A failure is old news once something works again. A warning is
		// an answer to what the operator did (what a hydration left in
		// the queue, a profile passed over at start): a background read
		// that worked says nothing about it, so it stays until other news
		// replaces it.
		if m.status.Level >= common.Failure {
			m.status = common.StatusMsg{}
		}
		return m, nil
	case common.ConfirmRequest:
		return m, m.openConfirm(msg)
	case common.OpenMsg:
		var focus tea.Cmd
		for i, t := range m.tabs {
			if t.ID() == msg.Tab {
				focus = m.switchTab(i)
			}
		}
		return m, tea.Batch(focus, m.route(msg.Tab, msg))
	case common.CopyMsg:
		text := "copied " + msg.What + " to the clipboard"
		if msg.Note != "" {
			text += " (" + msg.Note + ")"
		}
		m.setStatus(common.StatusMsg{Text: text, Level: common.Success})
		return m, tea.SetClipboard(msg.Text)
	case autoRefreshMsg:
		var cmd tea.Cmd
		if m.overlay == overlayNone && !m.Active().Capturing() {
			cmd = m.updateActive(common.AutoRefreshMsg{})
		}
		return m, tea.Batch(cmd, m.autoRefreshTick())
	case common.TraceMsg:
		return m, m.startTrace(msg.Request)
	case traceDoneMsg:
		m.finishTrace(msg)
		return m, nil
	case sessionOpenedMsg:
		return m, m.applySession(msg)
	case ReloadMsg:
		m.setStatus(common.StatusMsg{Text: msg.Status, Level: common.Info})
		var cmds []tea.Cmd
		for i := range m.tabs {
			var cmd tea.Cmd
			m.tabs[i], cmd = m.tabs[i].Update(common.SessionMsg{})
			cmds = append(cmds, cmd)
		}
		return m, tea.Batch(cmds...)
	case common.Routed:
		return m, m.route(msg.RouteTo(), msg)
	}
	// Anything else (ticks, spinner frames, tail batches without a route)
	// goes to every tab: each ignores what it does not own.
	var cmds []tea.Cmd
	for i := range m.tabs {
		var cmd tea.Cmd
		m.tabs[i], cmd = m.tabs[i].Update(msg)
		cmds = append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}

func (m *Model) setDark(dark bool) {
	p := theme.Light()
	if dark {
		p = theme.Dark()
	}
	// Views hold the pointer: replacing what it points to restyles them all.
	*m.styles = theme.New(p, m.opts.NoColor)
}

func (m *Model) setStatus(s common.StatusMsg) {
	m.status, m.statusAt, m.statusFresh = s, time.Now(), true
}

func (m *Model) route(id common.TabID, msg tea.Msg) tea.Cmd {
	for i, t := range m.tabs {
		if t.ID() == id {
			var cmd tea.Cmd
			m.tabs[i], cmd = t.Update(msg)
			return cmd
		}
	}
	return nil
}

func (m *Model) updateActive(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	m.tabs[m.active], cmd = m.tabs[m.active].Update(msg)
	return cmd
}

// bodyHeight is what a tab gets: the screen less the tab bar, the status
// bar and the help footer.
func (m *Model) bodyHeight() int { return max(m.height-3, 1) }

func (m *Model) resize() {
	m.common.Width, m.common.Height = m.width, m.bodyHeight()
	for _, t := range m.tabs {
		t.SetSize(m.width, m.bodyHeight())
	}
}

// switchTab shows tab i, telling the tab left and the tab shown.
func (m *Model) switchTab(i int) tea.Cmd {
	if i < 0 || i >= len(m.tabs) || i == m.active {
		return nil
	}
	var left, shown tea.Cmd
	m.tabs[m.active], left = m.tabs[m.active].Update(common.FocusMsg{Focused: false})
	m.active = i
	m.tabs[i], shown = m.tabs[i].Update(common.FocusMsg{Focused: true})
	return tea.Batch(left, shown)
}

// paste goes where keys go: the palette when it is open, else the active
// tab. A confirmation takes none: a name to confirm with is typed.
func (m *Model) paste(msg tea.PasteMsg) tea.Cmd {
	switch m.overlay {
	case overlayNone:
		return m.updateActive(msg)
	case overlayPalette:
		m.pastePalette(msg)
	}
	return nil
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	m.statusFresh = false
	switch m.overlay {
	case overlayConfirm:
		return m.updateConfirm(msg)
	case overlayPalette:
		return m.updatePalette(msg)
	case overlayProfiles:
		return m.updatePicker(msg)
	case overlayHelp, overlayCalls, overlayTrace:
		if m.overlay == overlayTrace {
			if cmd, ok := m.traceKey(msg); ok {
				return cmd
			}
		}
		if key.Matches(msg, m.keys.List.Back, m.keys.Global.Help, m.keys.Global.CallLog) || msg.String() == "q" {
			m.overlay = overlayNone
			return nil
		}
		switch m.overlay {
		case overlayCalls:
			m.calls.key(msg, m.keys)
		case overlayHelp:
			m.helpKey(msg)
		}
		return nil
	}
	if m.Active().Capturing() {
		if msg.String() == "ctrl+c" {
			return m.quitApp()
		}
		return m.updateActive(msg)
	}
	g := m.keys.Global
	switch {
	case key.Matches(msg, g.Quit):
		return m.quitApp()
	case key.Matches(msg, g.Help):
		m.overlay, m.helpTop = overlayHelp, 0
	case key.Matches(msg, g.Palette):
		m.overlay = overlayPalette
		m.palette.reset(&m.keys.Input)
		m.palette.choices = m.completions("")
	case key.Matches(msg, g.Profiles):
		m.overlay = overlayProfiles
		m.picker.focus(m.common.Env.Session)
	case key.Matches(msg, g.CallLog):
		m.overlay = overlayCalls
		m.calls = newCallView(m.common.Env.Session)
	case key.Matches(msg, g.Deadline):
		return m.hydrateNearest()
	case key.Matches(msg, g.Refresh):
		if m.status.Retry != nil && m.status.Level == common.Failure {
			retry := m.status.Retry
			m.setStatus(common.StatusMsg{Text: "retrying…"})
			return retry
		}
		return m.updateActive(common.RefreshMsg{})
	case key.Matches(msg, g.NextTab):
		return m.switchTab((m.active + 1) % len(m.tabs))
	case key.Matches(msg, g.PrevTab):
		return m.switchTab((m.active + len(m.tabs) - 1) % len(m.tabs))
	case key.Matches(msg, g.Tab1):
		return m.switchTab(0)
	case key.Matches(msg, g.Tab2):
		return m.switchTab(1)
	case key.Matches(msg, g.Tab3):
		return m.switchTab(2)
	case key.Matches(msg, g.Tab4):
		return m.switchTab(3)
	case key.Matches(msg, g.Tab5):
		return m.switchTab(4)
	default:
		return m.updateActive(msg)
	}
	return nil
}

func (m *Model) quitApp() tea.Cmd {
	m.quitting = true
	// Every call still running ends: nothing outlives the program.
	m.endAll()
	for _, t := range m.tabs {
		if s, ok := t.(common.Stopper); ok {
			s.Stop()
		}
	}
	return tea.Quit
}

func (m *Model) openConfirm(r common.ConfirmRequest) tea.Cmd {
	if m.common.Env.ReadOnly() {
		m.setStatus(common.StatusMsg{Text: r.Title + ": refused, " + readOnlyReason(m.common.Env.Session), Level: common.Warning})
		return nil
	}
	m.dialog = confirm.New(m.styles, &m.keys.Dialog, r.Title, r.Lines, r.TypeToConfirm)
	m.onYes = r.OnYes
	m.overlay = overlayConfirm
	return nil
}

func readOnlyReason(s *backend.Session) string {
	if s == nil {
		return "no session"
	}
	return s.ReadOnlyReason()
}

func (m *Model) updateConfirm(msg tea.KeyPressMsg) tea.Cmd {
	m.dialog, _ = m.dialog.Update(msg)
	switch m.dialog.Answer() {
	case confirm.Yes:
		m.overlay = overlayNone
		cmd := m.onYes
		m.onYes = nil
		return cmd
	case confirm.No:
		m.overlay = overlayNone
		m.onYes = nil
		m.setStatus(common.StatusMsg{Text: "cancelled", Level: common.Info})
	}
	return nil
}

// ReloadMsg makes every tab load again, with a status line: sent from
// outside the program when the world changed (the demo's pipeline is up).
type ReloadMsg struct{ Status string }

// sessionOpenedMsg carries a session opened for a profile switch.
type sessionOpenedMsg struct {
	session *backend.Session
	err     error
	what    string
}

// switchSession opens p (with region) in the background; the tabs keep
// showing the old session until the new one is ready.
func (m *Model) switchSession(p backend.Profile, region string) tea.Cmd {
	if m.opts.Open == nil {
		return common.Status(common.Failure, "switching profiles is not available here")
	}
	open, readOnly, root := m.opts.Open, m.opts.ReadOnly, m.ctx
	what := p.Name
	if region != "" {
		what += " in " + region
	}
	m.setStatus(common.StatusMsg{Text: "opening " + what + "…"})
	return func() tea.Msg {
		// Not the current session's context: the switch replaces it.
		ctx, cancel := context.WithTimeout(root, common.OpenTimeout)
		defer cancel()
		s, err := open(ctx, p, region, readOnly)
		return sessionOpenedMsg{session: s, err: err, what: what}
	}
}

func (m *Model) applySession(msg sessionOpenedMsg) tea.Cmd {
	if msg.err != nil {
		m.setStatus(common.StatusMsg{Text: fmt.Sprintf("switch to %s: %v", msg.what, msg.err), Level: common.Failure})
		return nil
	}
	env := *m.common.Env
	env.Session = msg.session
	env.Inventory = inventory.New(msg.session, nil)
	env.Gen++
	// Calls still running for the old session end with it.
	m.endSession()
	env.Ctx, m.endSession = context.WithCancel(m.ctx)
	m.common.Env = &env
	m.identity, m.identityErr = backend.Identity{}, ""
	m.deadline = common.DeadlineMsg{}
	m.setStatus(common.StatusMsg{Text: "now on " + msg.what, Level: common.Success})
	cmds := []tea.Cmd{m.fetchIdentity()}
	for i := range m.tabs {
		var cmd tea.Cmd
		m.tabs[i], cmd = m.tabs[i].Update(common.SessionMsg{})
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

// noColor reports NO_COLOR, which any non-empty value turns on.
func noColor() bool { return os.Getenv("NO_COLOR") != "" }

// NoColor is exported for cmd/sluice.
func NoColor() bool { return noColor() }
