// Package theme builds the UI's styles from a palette: dark or light
// terminals, and no colour at all when NO_COLOR is set. Styles are values
// passed down to every view; nothing here is global.
package theme

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Palette is the colours a theme is made of.
type Palette struct {
	Fg, Muted, Subtle, Accent, Selection, SelectionFg color.Color
	OK, Warn, Err, Info                               color.Color
	JSONKey, JSONString, JSONNumber, JSONLiteral      color.Color
}

// Dark suits a dark background.
func Dark() Palette {
	return Palette{
		Fg: lipgloss.Color("#d0d0d0"), Muted: lipgloss.Color("#8a8a8a"), Subtle: lipgloss.Color("#444444"),
		Accent: lipgloss.Color("#5fafff"), Selection: lipgloss.Color("#303a4f"), SelectionFg: lipgloss.Color("#ffffff"),
		OK: lipgloss.Color("#5fd75f"), Warn: lipgloss.Color("#ffaf00"), Err: lipgloss.Color("#ff5f5f"), Info: lipgloss.Color("#87d7ff"),
		JSONKey: lipgloss.Color("#87afff"), JSONString: lipgloss.Color("#afd787"), JSONNumber: lipgloss.Color("#ffaf5f"), JSONLiteral: lipgloss.Color("#d787d7"),
	}
}

// Light suits a light background.
func Light() Palette {
	return Palette{
		Fg: lipgloss.Color("#262626"), Muted: lipgloss.Color("#6c6c6c"), Subtle: lipgloss.Color("#d0d0d0"),
		Accent: lipgloss.Color("#005fd7"), Selection: lipgloss.Color("#d7e3f7"), SelectionFg: lipgloss.Color("#000000"),
		OK: lipgloss.Color("#008700"), Warn: lipgloss.Color("#af5f00"), Err: lipgloss.Color("#d70000"), Info: lipgloss.Color("#0087af"),
		JSONKey: lipgloss.Color("#005faf"), JSONString: lipgloss.Color("#5f8700"), JSONNumber: lipgloss.Color("#af5f00"), JSONLiteral: lipgloss.Color("#870087"),
	}
}

// Styles is every style the UI draws with.
type Styles struct {
	// Plain is true when colour is off (NO_COLOR): views then mark the
	// selection with a cursor instead of a background.
	Plain bool

	App, Title, Muted, Subtle, Accent     lipgloss.Style
	OK, Warn, Err, Info                   lipgloss.Style
	TabActive, TabInactive, TabBar        lipgloss.Style
	StatusBar, StatusKey, StatusValue     lipgloss.Style
	ReadOnlyBadge, ErrorBar               lipgloss.Style
	Header, Row, Selected, Marked         lipgloss.Style
	HelpKey, HelpDesc, HelpSep            lipgloss.Style
	Dialog, DialogTitle, Button, ButtonOn lipgloss.Style
	Pane, PaneTitle                       lipgloss.Style
	JSONKey, JSONString, JSONNumber       lipgloss.Style
	JSONLiteral, JSONPunct                lipgloss.Style
	Palette                               Palette
}

// New builds the styles of a palette; plain drops every colour.
func New(p Palette, plain bool) Styles {
	c := func(col color.Color) lipgloss.Style {
		if plain {
			return lipgloss.NewStyle()
		}
		return lipgloss.NewStyle().Foreground(col)
	}
	bg := func(s lipgloss.Style, col color.Color) lipgloss.Style {
		if plain {
			return s
		}
		return s.Background(col)
	}
	s := Styles{Plain: plain, Palette: p}
	s.App = c(p.Fg)
	s.Title = c(p.Accent).Bold(true)
	s.Muted = c(p.Muted)
	s.Subtle = c(p.Subtle)
	s.Accent = c(p.Accent)
	s.OK, s.Warn, s.Err, s.Info = c(p.OK), c(p.Warn), c(p.Err).Bold(true), c(p.Info)
	s.TabActive = c(p.Accent).Bold(true).Underline(true).Padding(0, 1)
	s.TabInactive = c(p.Muted).Padding(0, 1)
	s.TabBar = lipgloss.NewStyle()
	s.StatusBar = bg(c(p.Fg), p.Selection)
	s.StatusKey = bg(c(p.Muted), p.Selection)
	s.StatusValue = bg(c(p.Fg), p.Selection).Bold(true)
	s.ReadOnlyBadge = bg(c(p.Fg).Bold(true), p.Warn).Padding(0, 1)
	if !plain {
		s.ReadOnlyBadge = s.ReadOnlyBadge.Foreground(lipgloss.Color("#000000"))
	}
	s.ErrorBar = c(p.Err)
	s.Header = c(p.Muted).Bold(true)
	s.Row = c(p.Fg)
	s.Selected = bg(c(p.SelectionFg), p.Selection).Bold(true)
	if plain {
		s.Selected = lipgloss.NewStyle().Reverse(true)
	}
	s.Marked = c(p.Warn)
	s.HelpKey = c(p.Accent)
	s.HelpDesc = c(p.Muted)
	s.HelpSep = c(p.Subtle)
	s.Dialog = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).Padding(1, 2)
	if !plain {
		s.Dialog = s.Dialog.BorderForeground(p.Warn)
	}
	s.DialogTitle = c(p.Warn).Bold(true)
	s.Button = c(p.Muted).Padding(0, 2)
	s.ButtonOn = bg(c(p.SelectionFg).Bold(true), p.Accent).Padding(0, 2)
	if plain {
		s.ButtonOn = lipgloss.NewStyle().Reverse(true).Padding(0, 2)
	}
	s.Pane = lipgloss.NewStyle().Border(lipgloss.NormalBorder())
	if !plain {
		s.Pane = s.Pane.BorderForeground(p.Subtle)
	}
	s.PaneTitle = c(p.Accent).Bold(true)
	s.JSONKey, s.JSONString, s.JSONNumber = c(p.JSONKey), c(p.JSONString), c(p.JSONNumber)
	s.JSONLiteral, s.JSONPunct = c(p.JSONLiteral), c(p.Muted)
	return s
}

// ProfileStyle paints the profile's name in its own colour, so that
// production never looks like local.
func (s Styles) ProfileStyle(colour string) lipgloss.Style {
	st := s.StatusValue.Padding(0, 1)
	if s.Plain || colour == "" {
		return st
	}
	return st.Background(namedOrHex(colour)).Foreground(lipgloss.Color("#000000"))
}

func namedOrHex(c string) color.Color {
	named := map[string]string{
		"red": "#ff5f5f", "green": "#5fd75f", "yellow": "#ffd75f", "blue": "#5fafff",
		"magenta": "#d787d7", "cyan": "#5fd7d7", "white": "#eeeeee", "orange": "#ffaf5f", "gray": "#a8a8a8",
	}
	if h, ok := named[c]; ok {
		return lipgloss.Color(h)
	}
	return lipgloss.Color(c)
}
