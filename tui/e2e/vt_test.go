package e2e

import (
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// vt is a small terminal emulator: it plays the bytes the program wrote
// onto a grid of cells, so that tests read the screen a terminal would
// show rather than the renderer's diffs (which write only the cells that
// changed, between cursor moves). It knows what Bubble Tea's renderer
// sends: cursor moves, erases, inserts and deletes of characters and
// lines, scroll regions and scrolls, repeats, tabs, auto-wrap, insert
// mode and the alternate screen; styles are ignored. Every OSC command
// number it sees is recorded.
type vt struct {
	w, h    int
	main    [][]string
	alt     [][]string
	onAlt   bool
	x, y    int
	pending bool // the cursor sits past the last column: the next print wraps
	wrap    bool // DECAWM
	insert  bool // IRM
	top     int  // scroll region, inclusive
	bottom  int
	saved   [2]int
	last    string // the last grapheme printed, for REP

	p     *ansi.Parser
	state byte
	rest  []byte // an unfinished sequence, kept for the next write

	oscs []int
	// clipboard is what each OSC 52 asked the terminal to copy, decoded.
	clipboard []string
}

func newVT(w, h int) *vt {
	t := &vt{w: w, h: h, wrap: true, p: ansi.NewParser()}
	t.main, t.alt = t.blank(), t.blank()
	t.top, t.bottom = 0, h-1
	return t
}

func (t *vt) blank() [][]string {
	g := make([][]string, t.h)
	for i := range g {
		g[i] = blankLine(t.w)
	}
	return g
}

func blankLine(w int) []string {
	l := make([]string, w)
	for i := range l {
		l[i] = " "
	}
	return l
}

func (t *vt) grid() [][]string {
	if t.onAlt {
		return t.alt
	}
	return t.main
}

// resize changes the grid's size as a terminal does on a window change
// (the program redraws everything after one).
func (t *vt) resize(w, h int) {
	fit := func(g [][]string) [][]string {
		out := make([][]string, h)
		for y := range out {
			out[y] = blankLine(w)
			if y < len(g) {
				copy(out[y], g[y])
			}
		}
		return out
	}
	t.main, t.alt = fit(t.main), fit(t.alt)
	t.w, t.h = w, h
	t.top, t.bottom = 0, h-1
	t.x, t.y = min(t.x, w-1), min(t.y, h-1)
	t.pending = false
}

// Screen is the grid as text, one line per row, trailing blanks kept.
func (t *vt) Screen() string {
	var b strings.Builder
	for y, row := range t.grid() {
		if y > 0 {
			b.WriteByte('\n')
		}
		for _, c := range row {
			b.WriteString(c) // a wide character's second cell is ""
		}
	}
	return b.String()
}

// Write plays b.
func (t *vt) Write(b []byte) (int, error) {
	n := len(b)
	if len(t.rest) > 0 {
		b = append(t.rest, b...)
		t.rest = nil
	}
	for len(b) > 0 {
		if t.state == ansi.NormalState && b[0] >= utf8.RuneSelf && !utf8.FullRune(b) {
			t.rest = append([]byte(nil), b...) // the rest of the character comes next
			return n, nil
		}
		seq, width, used, state := ansi.DecodeSequenceWc(b, t.state, t.p)
		if state != ansi.NormalState && used == len(b) {
			// The write ended inside a sequence: wait for its end.
			t.rest = append([]byte(nil), b...)
			t.state = ansi.NormalState
			t.p.Reset()
			return n, nil
		}
		t.state = state
		t.play(seq, width)
		b = b[used:]
	}
	return n, nil
}

func (t *vt) play(seq []byte, width int) {
	switch {
	case len(seq) == 0:
	case len(seq) == 1 && (seq[0] < 0x20 || seq[0] == 0x7f):
		t.control(seq[0])
	case seq[0] == 0x1b && len(seq) > 1 && seq[1] == '[':
		t.csi(ansi.Cmd(t.p.Command()), t.p.Params())
	case seq[0] == 0x1b && len(seq) > 1 && seq[1] == ']':
		t.oscs = append(t.oscs, t.p.Command())
		if t.p.Command() == 52 {
			t.clipboard = append(t.clipboard, osc52Text(seq))
		}
	case seq[0] == 0x1b && len(seq) > 1 && (seq[1] == 'P' || seq[1] == '_' || seq[1] == '^' || seq[1] == 'X'):
		// DCS, APC, PM, SOS: nothing to draw.
	case seq[0] == 0x1b:
		t.esc(ansi.Cmd(t.p.Command()))
	case seq[0] >= 0x80 && seq[0] <= 0x9f && len(seq) == 1:
		// A C1 control: the renderer sends none.
	default:
		t.print(string(seq), width)
	}
}

// osc52Text is the text an OSC 52 sequence (ESC ] 52 ; selection ;
// base64, ended by BEL or ST) sets the clipboard to.
func osc52Text(seq []byte) string {
	body := strings.TrimPrefix(string(seq), "\x1b]")
	body = strings.TrimSuffix(strings.TrimSuffix(body, "\a"), "\x1b\\")
	parts := strings.SplitN(body, ";", 3)
	if len(parts) != 3 {
		return "<not an OSC 52 set: " + strconv.Quote(string(seq)) + ">"
	}
	b, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil {
		return "<bad base64: " + err.Error() + ">"
	}
	return string(b)
}

func (t *vt) control(c byte) {
	switch c {
	case '\r':
		t.x, t.pending = 0, false
	case '\n', '\v', '\f':
		// Bubble Tea writes to a pipe here, not a terminal in raw mode,
		// and then counts on the output being cooked: a line feed
		// returns the carriage too (ONLCR).
		t.x = 0
		t.index()
	case '\b':
		if t.x > 0 {
			t.x--
		}
		t.pending = false
	case '\t':
		t.x = min((t.x/8+1)*8, t.w-1)
		t.pending = false
	}
}

// index moves down a line, scrolling the region at its bottom.
func (t *vt) index() {
	t.pending = false
	if t.y == t.bottom {
		t.scrollUp(1)
		return
	}
	if t.y < t.h-1 {
		t.y++
	}
}

func (t *vt) reverseIndex() {
	t.pending = false
	if t.y == t.top {
		t.scrollDown(1)
		return
	}
	if t.y > 0 {
		t.y--
	}
}

func (t *vt) scrollUp(n int) {
	g := t.grid()
	for range n {
		copy(g[t.top:t.bottom], g[t.top+1:t.bottom+1])
		g[t.bottom] = blankLine(t.w)
	}
}

func (t *vt) scrollDown(n int) {
	g := t.grid()
	for range n {
		copy(g[t.top+1:t.bottom+1], g[t.top:t.bottom])
		g[t.top] = blankLine(t.w)
	}
}

func (t *vt) print(s string, width int) {
	if width <= 0 {
		return // a zero-width grapheme joins the previous cell; nothing to see
	}
	if t.pending && t.wrap {
		t.x = 0
		t.index()
	}
	t.pending = false
	row := t.grid()[t.y]
	if t.insert {
		copy(row[min(t.x+width, t.w):], row[t.x:])
	}
	if t.x+width > t.w {
		t.x = t.w - width
	}
	row[t.x] = s
	for i := 1; i < width; i++ {
		row[t.x+i] = ""
	}
	t.last = s
	t.x += width
	if t.x >= t.w {
		t.x = t.w - 1
		t.pending = t.wrap
	}
}

func (t *vt) esc(c ansi.Cmd) {
	switch c.Final() {
	case '7':
		t.saved = [2]int{t.x, t.y}
	case '8':
		t.x, t.y, t.pending = t.saved[0], t.saved[1], false
	case 'M':
		t.reverseIndex()
	case 'D':
		t.index()
	case 'E':
		t.x = 0
		t.index()
	case 'c':
		*t = *newVT(t.w, t.h)
	}
}

func (t *vt) moveTo(x, y int) {
	t.x = max(0, min(x, t.w-1))
	t.y = max(0, min(y, t.h-1))
	t.pending = false
}

func (t *vt) csi(c ansi.Cmd, params ansi.Params) {
	arg := func(i, def int) int {
		v, _, _ := params.Param(i, def)
		if v == 0 && def > 0 {
			return def
		}
		return v
	}
	g := t.grid()
	if c.Prefix() != 0 && c.Prefix() != '?' {
		return // private sequences (kitty keyboard, modifyOtherKeys): nothing to draw
	}
	if c.Prefix() == '?' {
		if c.Intermediate() == 0 && (c.Final() == 'h' || c.Final() == 'l') {
			on := c.Final() == 'h'
			for i := range params {
				switch params[i].Param(0) {
				case 7:
					t.wrap = on
				case 1049, 1047, 47:
					if on != t.onAlt {
						if on {
							t.alt = t.blank()
						}
						t.onAlt = on
					}
				}
			}
		}
		return
	}
	if c.Intermediate() != 0 {
		return // DECSCUSR and friends
	}
	switch c.Final() {
	case 'A':
		t.moveTo(t.x, t.y-arg(0, 1))
	case 'B', 'e':
		t.moveTo(t.x, t.y+arg(0, 1))
	case 'C', 'a':
		t.moveTo(t.x+arg(0, 1), t.y)
	case 'D':
		t.moveTo(t.x-arg(0, 1), t.y)
	case 'E':
		t.moveTo(0, t.y+arg(0, 1))
	case 'F':
		t.moveTo(0, t.y-arg(0, 1))
	case 'G', '`':
		t.moveTo(arg(0, 1)-1, t.y)
	case 'd':
		t.moveTo(t.x, arg(0, 1)-1)
	case 'H', 'f':
		t.moveTo(arg(1, 1)-1, arg(0, 1)-1)
	case 'I':
		for range arg(0, 1) {
			t.control('\t')
		}
	case 'Z':
		for range arg(0, 1) {
			t.moveTo((t.x-1)/8*8, t.y)
		}
	case 'J':
		switch arg(0, 0) {
		case 0:
			t.eraseLine(t.y, t.x, t.w)
			for y := t.y + 1; y < t.h; y++ {
				g[y] = blankLine(t.w)
			}
		case 1:
			for y := 0; y < t.y; y++ {
				g[y] = blankLine(t.w)
			}
			t.eraseLine(t.y, 0, t.x+1)
		case 2, 3:
			for y := range g {
				g[y] = blankLine(t.w)
			}
		}
	case 'K':
		switch arg(0, 0) {
		case 0:
			t.eraseLine(t.y, t.x, t.w)
		case 1:
			t.eraseLine(t.y, 0, t.x+1)
		case 2:
			t.eraseLine(t.y, 0, t.w)
		}
	case 'X':
		t.eraseLine(t.y, t.x, t.x+arg(0, 1))
	case 'b':
		if t.last != "" {
			w := ansi.StringWidthWc(t.last)
			for range arg(0, 1) {
				t.print(t.last, w)
			}
		}
	case '@':
		n, row := arg(0, 1), g[t.y]
		copy(row[min(t.x+n, t.w):], row[t.x:])
		t.eraseLine(t.y, t.x, t.x+n)
	case 'P':
		n, row := arg(0, 1), g[t.y]
		copy(row[t.x:], row[min(t.x+n, t.w):])
		t.eraseLine(t.y, t.w-n, t.w)
	case 'L':
		if t.y >= t.top && t.y <= t.bottom {
			top := t.top
			t.top = t.y
			t.scrollDown(arg(0, 1))
			t.top = top
			t.x, t.pending = 0, false
		}
	case 'M':
		if t.y >= t.top && t.y <= t.bottom {
			top := t.top
			t.top = t.y
			t.scrollUp(arg(0, 1))
			t.top = top
			t.x, t.pending = 0, false
		}
	case 'S':
		t.scrollUp(arg(0, 1))
	case 'T':
		t.scrollDown(arg(0, 1))
	case 'r':
		top, bottom := arg(0, 1)-1, arg(1, t.h)-1
		if top < bottom && bottom < t.h {
			t.top, t.bottom = top, bottom
		} else {
			t.top, t.bottom = 0, t.h-1
		}
		t.moveTo(0, 0)
	case 'h', 'l':
		for i := range params {
			if params[i].Param(0) == 4 {
				t.insert = c.Final() == 'h'
			}
		}
	case 's':
		t.saved = [2]int{t.x, t.y}
	case 'u':
		t.x, t.y, t.pending = t.saved[0], t.saved[1], false
	}
}

func (t *vt) eraseLine(y, from, to int) {
	row := t.grid()[y]
	for x := max(from, 0); x < min(to, t.w); x++ {
		row[x] = " "
	}
}

// TestVT checks the emulator on the sequences the renderer sends (the
// end-to-end tests check it against the renderer itself: the screen
// equals the last frame).
func TestVT(t *testing.T) {
	cases := []struct {
		name, in, want string
		w, h           int
	}{
		{"clear and lines", "xx\x1b[H\x1b[2JABC\r\nDEF", "ABC  \nDEF  ", 5, 2},
		{"line feed returns the carriage", "AB\nC", "AB \nC  ", 3, 2},
		{"erase characters", "ABCDE\x1b[1;2H\x1b[2X", "A  DE", 5, 1},
		{"insert characters", "ABCDE\x1b[1;2H\x1b[2@", "A  BC", 5, 1},
		{"delete characters", "ABCDE\x1b[1;2H\x1b[2P", "ADE  ", 5, 1},
		{"repeat", "A\x1b[3b", "AAAA ", 5, 1},
		{"insert line", "1\r\n2\r\n3\x1b[2;1H\x1b[L", "1\n \n2", 1, 3},
		{"delete line", "1\r\n2\r\n3\x1b[1;1H\x1b[M", "2\n3\n ", 1, 3},
		{"scroll up a region", "1\r\n2\r\n3\x1b[1;2r\x1b[S\x1b[r", "2\n \n3", 1, 3},
		{"reverse index at the top", "1\r\n2\x1b[H\x1bM", " \n1", 1, 2},
		{"wrap at the margin", "ABCD", "ABC\nD  ", 3, 2},
		{"no wrap when off", "\x1b[?7lABCD\x1b[?7h", "ABD\n   ", 3, 2},
		{"wide characters", "世a", "世a", 3, 1},
		{"cursor moves", "\x1b[2;3HX\x1b[AY\x1b[2DZ\x1b[4GW", "  ZW \n  X  ", 5, 2},
		{"private sequences draw nothing", "\x1b[>1u\x1b[?2026$pA\x1b]2;title\x07B", "AB", 2, 1},
		{"insert mode", "ABC\x1b[1;1H\x1b[4hX\x1b[4l", "XAB", 3, 1},
	}
	for _, c := range cases {
		// Byte by byte too: a write may end inside a sequence.
		for _, split := range []bool{false, true} {
			v := newVT(c.w, c.h)
			if split {
				for i := range len(c.in) {
					_, _ = v.Write([]byte{c.in[i]})
				}
			} else {
				_, _ = v.Write([]byte(c.in))
			}
			if got := v.Screen(); got != c.want {
				t.Errorf("%s (split %v): got %q, want %q", c.name, split, got, c.want)
			}
		}
	}
}
