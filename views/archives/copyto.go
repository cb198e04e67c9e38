package archives

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/backend/replay"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/lineedit"
)

// A copy sends the events R would replay into a target of another
// profile — production's failures into the bundled engine — the twin of
// `sluice replay … --to-profile P --to T`. C opens a prompt holding
// "PROFILE TARGET"; tab cycles the profile through the configured ones,
// the target is a stream or queue name there, or an ARN or URL. The source
// is only read, so a read-only session may copy; the destination's own
// readonly setting refuses it.

// copyInputLabel is the prompt's label.
const copyInputLabel = "copy to (profile target, tab: next profile)"

// copyDest is a resolved destination: the other profile's session and
// the target found there.
type copyDest struct {
	session *backend.Session
	target  backend.Target
}

// copyDestMsg is the destination opened (or not) in the background.
type copyDestMsg struct {
	common.Stamp
	dest *copyDest
	err  error
}

// otherProfiles are the profiles a copy can go to.
func (m *Model) otherProfiles() []backend.Profile {
	env := m.env()
	var out []backend.Profile
	for _, p := range env.Profiles {
		if env.Session == nil || p.Name != env.Session.Profile.Name {
			out = append(out, p)
		}
	}
	return out
}

func (m *Model) askCopyDest() tea.Cmd {
	if m.level == levelConsumers {
		return common.Status(common.Info, "open a consumer, then C on a day, an hour or marked events")
	}
	others := m.otherProfiles()
	if len(others) == 0 || m.env().OpenOther == nil {
		return common.Status(common.Warning, "copy: no other profile to copy into (add one to the sluice config)")
	}
	m.openInput(copyInputLabel, others[0].Name+" ")
	return nil
}

// cycleCopyProfile puts the next profile in place of the prompt's first
// word, keeping the target typed after it.
func (m *Model) cycleCopyProfile() {
	others := m.otherProfiles()
	if len(others) == 0 {
		return
	}
	name, rest, _ := strings.Cut(m.input.edit.Value(), " ")
	next := others[0].Name
	for i, p := range others {
		if p.Name == name {
			next = others[(i+1)%len(others)].Name
		}
	}
	m.input.edit = lineedit.New(&m.c.Keys.Input, next+" "+rest)
}

// openCopyDest opens the profile the prompt names and finds its target.
func (m *Model) openCopyDest(value string) tea.Cmd {
	fields := strings.Fields(value)
	if len(fields) != 2 {
		return common.Status(common.Warning, "copy: type a profile and a target there (a stream or queue name, an ARN or a URL)")
	}
	var profile backend.Profile
	found := false
	for _, p := range m.otherProfiles() {
		if p.Name == fields[0] {
			profile, found = p, true
		}
	}
	if !found {
		return common.Status(common.Warning, "copy: no other profile named "+inert.Line(fields[0]))
	}
	if profile.ReadOnly {
		// Refused before anything is opened or looked up there.
		return common.Status(common.Warning, "copy to "+inert.Line(profile.Name)+": refused, read-only (the profile's readonly setting in the config); nothing was opened there")
	}
	env, stamp, ref := m.env(), m.sessionStamp(), fields[1]
	return func() tea.Msg {
		ctx, cancel := env.CallContext(common.OpenTimeout)
		defer cancel()
		s, err := env.OpenOther(ctx, profile)
		if err != nil {
			return copyDestMsg{Stamp: stamp, err: fmt.Errorf("copy: open profile %s: %w", profile.Name, err)}
		}
		t, err := backend.ResolveTarget(ctx, s, ref)
		if err != nil {
			return copyDestMsg{Stamp: stamp, err: fmt.Errorf("copy: %w", err)}
		}
		return copyDestMsg{Stamp: stamp, dest: &copyDest{session: s, target: t}}
	}
}

func (m *Model) onCopyDest(msg copyDestMsg) tea.Cmd {
	if !msg.Fresh(m.sessionStamp()) {
		return nil
	}
	if msg.err != nil {
		return common.Fail(msg.err, nil)
	}
	return m.bulkOf(msg.dest)
}

// confirmCopy asks before a copy, saying that the source is not marked;
// the destination's read-only refuses it before asking.
func (m *Model) confirmCopy(what string, plan replay.Plan, count int, dest *copyDest) tea.Cmd {
	to := dest.session.Profile.Name
	if dest.session.ReadOnly() {
		return common.Status(common.Warning, "copy to "+to+": refused, read-only: "+dest.session.ReadOnlyReason())
	}
	lines := []string{
		"Consumer: " + inert.Line(m.cur.Name),
		"Events:   " + inert.Line(what) + fmt.Sprintf(" (%d)", count),
		"Profile:  " + inert.Line(to),
		"Target:   " + inert.Line(plan.Target.String()),
		"",
		"copy to " + inert.Line(to) + ": the source archive is not marked.",
		"Each event keeps its id (idempotency key) and partition key; copying again sends them again.",
	}
	title := fmt.Sprintf("Copy %s to %s?", plural(count, "event"), inert.Line(to))
	start := m.bulkCmd(m.req.jobs.Next(m.env()), what, plan, count, dest)
	return common.Confirm(title, lines, common.TypeNameOver(count, m.cur.Name), start)
}
