package tui

import (
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/keymap"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/lineedit"
	"github.com/sluicehq/sluice/views/theme"
)

// Completer is a tab that offers names for palette arguments (streams for
// :tail, queues for :dlq).
type Completer interface {
	Completions(command string) []string
}

// command is one palette command.
type command struct {
	name, args, help string
}

var commands = []command{
	{"streams", "", "show the Streams tab"},
	{"shards", "STREAM", "list a stream's shards"},
	{"tail", "STREAM", "tail every shard of a stream"},
	{"consumers", "STREAM", "a stream's pipes and Lambda mappings"},
	{"dlq", "[QUEUE]", "show DLQs, or browse one"},
	{"archives", "[CONSUMER]", "show archives, or one consumer's"},
	{"metrics", "[RESOURCE]", "show metrics"},
	{"profile", "NAME", "switch profile"},
	{"region", "REGION", "switch region"},
	{"readonly", "", "refuse every write from now on"},
	{"calls", "", "show the call log"},
	{"help", "", "show every key"},
	{"quit", "", "leave sluice"},
}

// regions are offered for :region; any other name is accepted too.
var regions = []string{"us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-1", "eu-west-2", "eu-west-3",
	"eu-central-1", "eu-north-1", "eu-south-1", "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2", "sa-east-1"}

type palette struct {
	// input is the command line; edit holds it while the palette is
	// open.
	input string
	edit  lineedit.Model
	// choices are the completions of the current word.
	choices []string
	pick    int
}

func newPalette() palette { return palette{} }

func (p *palette) reset(keys *keymap.Input) { *p = palette{edit: lineedit.New(keys, "")} }

// setInput replaces the command line, the cursor at its end.
func (p *palette) setInput(s string) {
	p.edit.SetValue(s)
	p.input = s
}

func (m *Model) updatePalette(msg tea.KeyPressMsg) tea.Cmd {
	p := &m.palette
	switch msg.String() {
	case "ctrl+c":
		m.overlay = overlayNone
	case "tab":
		if len(p.choices) > 0 {
			p.setInput(completeWith(p.input, p.choices[p.pick%len(p.choices)]))
			p.pick = 0
		}
	case "down", "ctrl+n":
		p.pick++
	case "up", "ctrl+p":
		if p.pick > 0 {
			p.pick--
		}
	default:
		switch p.edit.Update(msg) {
		case lineedit.Cancelled:
			m.overlay = overlayNone
		case lineedit.Submitted:
			m.overlay = overlayNone
			return m.runCommand(strings.TrimSpace(p.edit.Value()))
		}
		p.input = p.edit.Value()
	}
	p.choices = m.completions(p.input)
	return nil
}

// pastePalette types a paste into the command line, its whitespace made
// single spaces.
func (m *Model) pastePalette(msg tea.PasteMsg) {
	p := &m.palette
	p.edit.Update(tea.PasteMsg{Content: strings.Join(strings.Fields(msg.Content), " ")})
	p.input = p.edit.Value()
	p.choices = m.completions(p.input)
}

// completeWith replaces the last word of input with choice.
func completeWith(input, choice string) string {
	i := strings.LastIndexByte(input, ' ')
	return input[:i+1] + choice + " "
}

// completions lists what the word being typed can become.
func (m *Model) completions(input string) []string {
	name, arg, hasArg := strings.Cut(input, " ")
	if !hasArg {
		var out []string
		for _, c := range commands {
			if strings.HasPrefix(c.name, name) {
				out = append(out, c.name)
			}
		}
		return out
	}
	var pool []string
	switch name {
	case "profile":
		for _, p := range m.opts.Profiles {
			pool = append(pool, p.Name)
		}
	case "region":
		pool = regions
	default:
		for _, t := range m.tabs {
			if c, ok := t.(Completer); ok {
				pool = append(pool, c.Completions(name)...)
			}
		}
	}
	seen := map[string]bool{}
	var out []string
	for _, p := range pool {
		if strings.HasPrefix(p, strings.TrimSpace(arg)) && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// runCommand carries out a palette line.
func (m *Model) runCommand(line string) tea.Cmd {
	line = strings.TrimPrefix(line, ":")
	name, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch name {
	case "":
		return nil
	case "streams":
		return common.Open(common.StreamsTab, arg, nil)
	case "shards":
		return common.Open(common.ShardsTab, arg, nil)
	case "tail":
		if arg == "" {
			return common.Status(common.Warning, ":tail needs a stream name")
		}
		return common.Open(common.ShardsTab, arg, common.TailAll{})
	case "consumers", "pipes":
		if arg == "" {
			return common.Status(common.Warning, ":consumers needs a stream name")
		}
		return common.Open(common.StreamsTab, arg, common.ShowConsumers{})
	case "dlq", "dlqs":
		return common.Open(common.DLQTab, arg, nil)
	case "archives", "archive":
		return common.Open(common.ArchivesTab, arg, nil)
	case "metrics":
		return common.Open(common.MetricsTab, arg, nil)
	case "profile":
		p, err := backend.FindProfile(m.opts.Profiles, arg)
		if err != nil {
			return common.Status(common.Failure, err.Error())
		}
		return m.switchSession(p, "")
	case "region":
		if arg == "" || m.common.Env.Session == nil {
			return common.Status(common.Warning, ":region needs a region name")
		}
		return m.switchSession(m.common.Env.Session.Profile, arg)
	case "readonly":
		if m.common.Env.Session == nil {
			return nil
		}
		m.opts.ReadOnly = true
		return m.switchSession(m.common.Env.Session.Profile, m.common.Env.Session.Region)
	case "calls":
		m.overlay = overlayCalls
		m.calls = newCallView(m.common.Env.Session)
		return nil
	case "help":
		m.overlay = overlayHelp
		return nil
	case "quit", "q":
		return m.quitApp()
	}
	return common.Status(common.Warning, "unknown command :"+inert.Line(name)+" (tab completes)")
}

func (p palette) view(st *theme.Styles, width int) string {
	w := min(width-4, 70)
	var b strings.Builder
	b.WriteString(st.Accent.Render(":" + p.edit.View(max(w-2, 1))))
	for i, c := range p.choices {
		if i >= 8 {
			b.WriteString("\n" + st.Muted.Render("  …"))
			break
		}
		line := "  " + inert.Line(c)
		for _, cmd := range commands {
			if cmd.name == c && !strings.Contains(p.input, " ") {
				line = "  " + padRight(cmd.name+" "+cmd.args, 22) + st.Muted.Render(cmd.help)
			}
		}
		if i == p.pick%max(len(p.choices), 1) {
			line = st.Selected.Render(line)
		}
		b.WriteString("\n" + line)
	}
	return st.Pane.Width(w).Render(lipgloss.NewStyle().Render(b.String()))
}
