package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/keymap"
	"github.com/sluicehq/sluice/tui"
)

// tuiFlags are the flags of `sluice` and `sluice demo`.
type tuiFlags struct {
	profile, region, endpoint string
	dataDir, configPath       string
	archive, logCalls         string
	readOnly                  bool
	budgetScale               float64
}

// placement is the region and endpoint to open profile in, asked for with
// region (empty for the profile's own). --region and --endpoint-url were
// given for the first profile: they stay with it whenever it is reopened
// (:region, :readonly), so that a session pointed at LocalStack never falls
// through to AWS, and do not follow a switch to another profile.
func (f tuiFlags) placement(first, profile, region string) (string, string) {
	if profile != first {
		return region, ""
	}
	if region == "" {
		region = f.region
	}
	return region, f.endpoint
}

func addTUIFlags(cmd *cobra.Command, f *tuiFlags) {
	fl := cmd.Flags()
	fl.StringVar(&f.profile, "profile", "", "profile to open (default $AWS_PROFILE, the last one used, the config's default_profile, else local)")
	fl.StringVar(&f.region, "region", "", "region (default the profile's)")
	fl.StringVar(&f.endpoint, "endpoint-url", "", "send every call of the first profile to this URL")
	fl.StringVar(&f.dataDir, "data", "", "data directory of the local engine (default $SLUICE_DATA_DIR or $XDG_DATA_HOME/sluice)")
	fl.StringVar(&f.configPath, "config", "", "sluice config file (default $XDG_CONFIG_HOME/sluice/config.yaml)")
	fl.StringVar(&f.archive, "archive", "", "archive location s3://bucket/prefix when neither the config nor a sluice:archive tag names one")
	fl.StringVar(&f.logCalls, "log-calls", "", "append every AWS call made to this file as JSON lines")
	fl.BoolVar(&f.readOnly, "readonly", false, "refuse every write, whatever the profile")
	addBudgetFlag(cmd, &f.budgetScale)
}

// tuiRun is what opening the UI needs beyond the flags: the demo gives
// the endpoint of its engine and a hook to reload the tabs once its
// pipeline exists.
type tuiRun struct {
	localEndpoint string
	// notice is news for the status bar on start, such as the demo's
	// engine on another port than asked.
	notice  string
	onStart func(send func(tea.Msg))
	in      io.Reader
	out     io.Writer
}

// runTUI opens the chosen profile and runs the UI until the operator
// quits. Nothing is printed on the screen the UI draws on: logs go to the
// log file.
func runTUI(ctx context.Context, f tuiFlags, run tuiRun) error {
	cfg, err := loadConfig(f.configPath)
	if err != nil {
		return err
	}
	if f.archive != "" {
		if _, _, err := config.ParseS3URL(f.archive); err != nil {
			return fmt.Errorf("--archive: %w", err)
		}
	}
	keys := keymap.Default()
	if err := keys.Apply(cfg.Keys); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if c := keys.Collisions(); len(c) > 0 {
		return fmt.Errorf("config: keys: %s", c[0])
	}
	awsProfiles, err := backend.AWSProfiles(backend.DefaultAWSConfigFiles())
	if err != nil {
		return err
	}
	profiles := backend.Profiles(awsProfiles, cfg)
	flagProfile, lastUsed := f.profile, loadState().Profile
	if run.localEndpoint != "" && f.profile == "" {
		// The demo runs on its own engine, whatever was used last.
		flagProfile, lastUsed = backend.LocalProfile, ""
	}
	first, notice, err := chooseProfile(profiles, flagProfile, lastUsed, cfg)
	if err != nil {
		return err
	}
	dataDir, err := dataDirOf(f.dataDir)
	if err != nil {
		return err
	}

	var closersMu sync.Mutex
	var closers []func()
	defer func() {
		closersMu.Lock()
		defer closersMu.Unlock()
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}()
	logger, closeLog := openLog()
	closers = append(closers, closeLog)
	calls := backend.NewCallLog(5000)
	// One budget for the whole run: a profile switch back to the same
	// account finds its buckets as it left them.
	budget, err := openBudget(cfg, f.budgetScale)
	if err != nil {
		return err
	}
	if f.logCalls != "" {
		file, err := os.OpenFile(f.logCalls, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return fmt.Errorf("--log-calls: %w", err)
		}
		closers = append(closers, func() { _ = file.Close() })
		calls.SetSink(file)
	}
	local := func(ctx context.Context) (string, error) {
		if run.localEndpoint != "" {
			return run.localEndpoint, nil
		}
		closersMu.Lock()
		defer closersMu.Unlock()
		return localEngine(dataDir, &closers)(ctx)
	}
	base := backend.Env{Local: local, Calls: calls, Budget: budget, Log: logger}
	open, openOther := profileOpeners(f, first.Name, base)
	session, err := open(ctx, first, "", f.readOnly)
	if err != nil {
		return err
	}
	model := tui.New(tui.Options{
		Context: ctx, Profiles: profiles, Session: session, Config: cfg, Keys: keys, Open: open, OpenOther: openOther, Tabs: sluiceTabs,
		ReadOnly: f.readOnly, ArchiveFlag: f.archive, NoColor: tui.NoColor(), Dark: true,
		Notice: joinNotices(run.notice, notice), Version: binaryBuild().String(),
	})
	opts := []tea.ProgramOption{tea.WithContext(ctx)}
	if run.in != nil {
		opts = append(opts, tea.WithInput(run.in))
	}
	if run.out != nil {
		opts = append(opts, tea.WithOutput(run.out))
	}
	p := tea.NewProgram(model, opts...)
	if run.onStart != nil {
		run.onStart(p.Send)
	}
	_, err = p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	return err
}

// uiState is what the UI remembers between runs.
type uiState struct {
	Profile string `json:"profile"`
}

func statePath() string {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "sluice", "state.json")
}

func loadState() uiState {
	var s uiState
	if p := statePath(); p != "" {
		if b, err := os.ReadFile(p); err == nil {
			_ = json.Unmarshal(b, &s)
		}
	}
	return s
}

// saveState writes the state atomically; failing to remember is not worth
// an error on screen.
func saveState(s uiState) {
	p := statePath()
	if p == "" {
		return
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return
	}
	b, _ := json.Marshal(s)
	tmp := p + ".tmp"
	if os.WriteFile(tmp, b, 0o600) == nil {
		_ = os.Rename(tmp, p)
	}
}

// joinNotices puts the start-up notices that are not empty on one line.
func joinNotices(notices ...string) string {
	var kept []string
	for _, n := range notices {
		if n != "" {
			kept = append(kept, n)
		}
	}
	return strings.Join(kept, "; ")
}

// profileOpeners are the UI's two ways to open a profile on env (its
// engine, call log, budget and log). open switches the profile the UI
// operates: --readonly holds for it, and it is remembered as the profile
// to start with next time. openOther opens a copy's destination as
// itself: not remembered, and guarded by its own readonly setting only,
// since --readonly guards the profile operated, from which a copy only
// reads.
func profileOpeners(f tuiFlags, first string, env backend.Env) (tui.Opener, func(context.Context, backend.Profile) (*backend.Session, error)) {
	open := func(ctx context.Context, p backend.Profile, region string, readOnly bool) (*backend.Session, error) {
		e := env
		e.ReadOnly = readOnly || f.readOnly
		e.Region, e.Endpoint = f.placement(first, p.Name, region)
		s, err := backend.Open(ctx, p, e)
		if err == nil {
			saveState(uiState{Profile: p.Name})
		}
		return s, err
	}
	openOther := func(ctx context.Context, p backend.Profile) (*backend.Session, error) {
		e := env
		e.Region, e.Endpoint = f.placement(first, p.Name, "")
		return backend.Open(ctx, p, e)
	}
	return open, openOther
}
