package archive

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sluicehq/sluice/backend"
)

// Levels of a consumer's key tree: <consumer>/YYYY/MM/DD/HH/.
const (
	levelConsumer = iota
	levelYear
	levelMonth
	levelDay
	levelHour
)

// node is a folder of the key tree and the span of time it covers.
type node struct {
	prefix     string
	level      int
	start, end time.Time
}

// hourWalker finds a consumer's hour folders newest first. It lists each
// level with a delimiter, so that only folders that exist are visited, and
// skips folders outside [since, until).
type hourWalker struct {
	s            *backend.Session
	bucket       string
	since, until time.Time
	pageSize     int32
	// stack holds the folders still to visit, the newest on top.
	stack []node
}

func newHourWalker(s *backend.Session, bucket, root string, since, until time.Time, pageSize int32) *hourWalker {
	return &hourWalker{s: s, bucket: bucket, since: since, until: until, pageSize: pageSize,
		stack: []node{{prefix: root, level: levelConsumer}}}
}

// peek returns the newest hour not yet popped. A failed listing leaves the
// walk where it was, so that the caller can try again.
func (w *hourWalker) peek(ctx context.Context) (node, bool, error) {
	for len(w.stack) > 0 {
		top := w.stack[len(w.stack)-1]
		if top.level == levelHour {
			return top, true, nil
		}
		dirs, err := listDirsPaged(ctx, w.s, w.bucket, top.prefix, w.pageSize)
		if err != nil {
			return node{}, false, err
		}
		w.stack = w.stack[:len(w.stack)-1]
		children := make([]node, 0, len(dirs))
		for _, d := range dirs {
			if c, ok := childNode(top, d); ok && w.overlaps(c) {
				children = append(children, c)
			}
		}
		// Pushed oldest first, so that the newest is on top.
		slices.SortFunc(children, func(a, b node) int { return a.start.Compare(b.start) })
		w.stack = append(w.stack, children...)
	}
	return node{}, false, nil
}

// pop drops the hour peek returned.
func (w *hourWalker) pop() {
	if len(w.stack) > 0 {
		w.stack = w.stack[:len(w.stack)-1]
	}
}

func (w *hourWalker) overlaps(n node) bool {
	return (w.since.IsZero() || n.end.After(w.since)) && (w.until.IsZero() || n.start.Before(w.until))
}

// childNode reads the folder dir one level under parent; ok is false for a
// folder that is not part of the tree (a wrong width, a month 13).
func childNode(parent node, dir string) (node, bool) {
	seg := strings.TrimSuffix(strings.TrimPrefix(dir, parent.prefix), "/")
	width := 2
	if parent.level == levelConsumer {
		width = 4
	}
	if len(seg) != width {
		return node{}, false
	}
	v, err := strconv.Atoi(seg)
	if err != nil || v < 0 || strings.ContainsAny(seg, "+-") {
		return node{}, false
	}
	p := parent.start
	var start, end time.Time
	switch parent.level {
	case levelConsumer:
		start = time.Date(v, 1, 1, 0, 0, 0, 0, time.UTC)
		end = start.AddDate(1, 0, 0)
	case levelYear:
		if v < 1 || v > 12 {
			return node{}, false
		}
		start = time.Date(p.Year(), time.Month(v), 1, 0, 0, 0, 0, time.UTC)
		end = start.AddDate(0, 1, 0)
	case levelMonth:
		start = time.Date(p.Year(), p.Month(), v, 0, 0, 0, 0, time.UTC)
		if v < 1 || start.Month() != p.Month() {
			return node{}, false
		}
		end = start.AddDate(0, 0, 1)
	case levelDay:
		if v > 23 {
			return node{}, false
		}
		start = time.Date(p.Year(), p.Month(), p.Day(), v, 0, 0, 0, time.UTC)
		end = start.Add(time.Hour)
	default:
		return node{}, false
	}
	return node{prefix: dir, level: parent.level + 1, start: start, end: end}, true
}
