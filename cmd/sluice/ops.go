package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/localengine"
)

// opsFlags are the flags of every command that operates a pipeline: where
// to operate, how to print, and how writes are guarded.
type opsFlags struct {
	profile    string
	region     string
	endpoint   string
	output     string
	dataDir    string
	configPath string
	logCalls   string
	readOnly   bool
	yes        bool
	// connections is how many connections to one host the session keeps
	// for reuse: a command that makes many calls at once sets it to at
	// least that many (0: backend.DefaultConnections).
	connections int
	// budgetScale multiplies the API budget's rates (0: the config's).
	budgetScale float64
}

func addOpsFlags(cmd *cobra.Command, f *opsFlags) {
	fl := cmd.Flags()
	fl.StringVar(&f.profile, "profile", "", "profile: local, an AWS config profile, or one from the sluice config (default $AWS_PROFILE, the last one used, the config's default_profile, else local)")
	fl.StringVar(&f.region, "region", "", "region (default the profile's, or $AWS_REGION)")
	fl.StringVar(&f.endpoint, "endpoint-url", "", "send every call to this URL (default the sluice profile's endpoint, else AWS's settings: AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the AWS profile's services section and endpoint_url)")
	fl.StringVarP(&f.output, "output", "o", "table", "output format: table, json or jsonl")
	fl.StringVar(&f.dataDir, "data", "", "data directory of the local engine (default $SLUICE_DATA_DIR or $XDG_DATA_HOME/sluice)")
	fl.StringVar(&f.configPath, "config", "", "sluice config file (default $XDG_CONFIG_HOME/sluice/config.yaml)")
	fl.StringVar(&f.logCalls, "log-calls", "", "append every AWS call made to `FILE` as JSON lines (read it with: sluice calls FILE)")
	fl.BoolVar(&f.readOnly, "readonly", false, "refuse every write")
	addBudgetFlag(cmd, &f.budgetScale)
	fl.BoolVarP(&f.yes, "yes", "y", false, "answer yes to confirmations (needed when not on a terminal)")
}

// ops is an open session and what it holds, for one command.
type ops struct {
	flags   opsFlags
	config  config.File
	session *backend.Session
	out     output
	closers []func()
	// env is what session was opened with; openOther opens another
	// profile with it.
	env backend.Env
}

// openOps loads the config, picks the profile and opens its session. The
// caller must call close.
func openOps(ctx context.Context, cmd *cobra.Command, f opsFlags) (*ops, error) {
	out, err := newOutput(f.output, cmd.OutOrStdout())
	if err != nil {
		return nil, err
	}
	o := &ops{flags: f, out: out}
	if o.config, err = loadConfig(f.configPath); err != nil {
		return nil, err
	}
	profile, note, err := pickProfile(f.profile, o.config)
	if err != nil {
		return nil, err
	}
	if note != "" {
		fmt.Fprintln(cmd.ErrOrStderr(), "note: "+note)
	}
	calls := backend.NewCallLog(0)
	if f.logCalls != "" {
		file, err := os.OpenFile(f.logCalls, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return nil, fmt.Errorf("--log-calls: %w", err)
		}
		o.closers = append(o.closers, func() { _ = file.Close() })
		calls.SetSink(file)
	}
	logger, closeLog := openLog()
	o.closers = append(o.closers, closeLog)
	dataDir, err := dataDirOf(f.dataDir)
	if err != nil {
		o.close()
		return nil, err
	}
	// Only --endpoint-url covers every service: AWS_ENDPOINT_URL and its
	// per-service forms are the SDK's to rank (a service's own variable
	// beats it), and the local profile, which always means the bundled
	// engine, ignores them.
	budget, err := openBudget(o.config, f.budgetScale)
	if err != nil {
		o.close()
		return nil, err
	}
	env := backend.Env{
		Local: localEngine(dataDir, &o.closers), Calls: calls, Budget: budget,
		Region: firstSet(f.region, os.Getenv("AWS_REGION")), Endpoint: f.endpoint,
		ReadOnly: f.readOnly, Log: logger, Connections: f.connections,
	}
	if o.session, err = backend.Open(ctx, profile, env); err != nil {
		o.close()
		return nil, err
	}
	o.env = env
	return o, nil
}

// openOther opens a second profile for a command that works across two
// (a copy into another profile), sharing the call log, the audit log and
// the bundled engine. --region, --endpoint-url and --readonly are the
// current profile's: the other is opened as the sluice config describes
// it, so its own readonly setting is what guards its writes.
func (o *ops) openOther(ctx context.Context, name string) (*backend.Session, error) {
	profile, _, err := pickProfile(name, o.config)
	if err != nil {
		return nil, err
	}
	if profile.Name == o.session.Profile.Name {
		return nil, fmt.Errorf("profile %s is the current profile: name another one", profile.Name)
	}
	env := o.env
	env.Region, env.Endpoint, env.ReadOnly = "", "", false
	s, err := backend.Open(ctx, profile, env)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (o *ops) close() {
	for i := len(o.closers) - 1; i >= 0; i-- {
		o.closers[i]()
	}
	o.closers = nil
}

func firstSet(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

func loadConfig(path string) (config.File, error) {
	if path == "" {
		p, err := config.DefaultPath()
		if err != nil {
			return config.File{}, nil
		}
		path = p
	}
	return config.Load(path)
}

func dataDirOf(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	return localengine.DefaultDataDir()
}

// pickProfile resolves the profile a command opens: --profile, then
// $AWS_PROFILE, then the config's default_profile, then local. Unlike the
// UI, a command never follows the profile last opened in the UI: a script
// run after someone looked at prod must not purge a queue there because of
// it, so a command touches a real account only when told to. A name given
// for this run that does not exist is an error; a default_profile that no
// longer exists is passed over with a note saying what was opened instead.
func pickProfile(name string, cfg config.File) (backend.Profile, string, error) {
	awsProfiles, err := backend.AWSProfiles(backend.DefaultAWSConfigFiles())
	if err != nil {
		return backend.Profile{}, "", err
	}
	return chooseProfile(backend.Profiles(awsProfiles, cfg), name, "", cfg)
}

func chooseProfile(all []backend.Profile, flag, lastUsed string, cfg config.File) (backend.Profile, string, error) {
	var missing []string
	candidates := []struct {
		name, gone string
		given      bool
	}{
		{name: flag, given: true},
		{name: os.Getenv("AWS_PROFILE"), given: true},
		{name: lastUsed, gone: "profile %s no longer exists"},
		{name: cfg.DefaultProfile, gone: "profile %s (the config's default_profile) does not exist"},
		{name: backend.LocalProfile, given: true},
	}
	for _, c := range candidates {
		if c.name == "" {
			continue
		}
		p, err := backend.FindProfile(all, c.name)
		switch {
		case err == nil:
			note := ""
			if len(missing) > 0 {
				note = strings.Join(missing, "; ") + "; using " + p.Name
			}
			return p, note, nil
		case c.given:
			return backend.Profile{}, "", err
		}
		// The name came from a file: it may hold anything.
		missing = append(missing, fmt.Sprintf(c.gone, inert.Line(c.name)))
	}
	return backend.Profile{}, "", fmt.Errorf("no profile to open")
}

// localEngine attaches to the engine serving dataDir, or starts one in
// this process on a loopback port; the engine stops with the command.
func localEngine(dataDir string, closers *[]func()) backend.LocalEngine {
	return func(ctx context.Context) (string, error) {
		if addr, err := localengine.ReadAddress(dataDir); err == nil && reachable(addr.Addr) {
			return addr.URL, nil
		}
		running, err := startEngine(localengine.Options{DataDir: dataDir}, "127.0.0.1:0")
		var inUse *localengine.InUseError
		if errors.As(err, &inUse) && inUse.Address.URL != "" {
			return inUse.Address.URL, nil
		}
		if err != nil {
			return "", fmt.Errorf("start the bundled engine on %s: %w", dataDir, err)
		}
		*closers = append(*closers, running.stop)
		return running.url, nil
	}
}

func reachable(addr string) bool {
	if addr == "" {
		return false
	}
	c, err := net.DialTimeout("tcp", addr, 500*time.Millisecond)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

// openLog opens $XDG_STATE_HOME/sluice/sluice.log: writes are recorded
// there, never on the terminal.
func openLog() (*slog.Logger, func()) {
	w, closeFn := openLogWriter()
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: logLevel()})), closeFn
}

// logLevel is $SLUICE_LOG_LEVEL, info when unset or unknown: debug adds
// what the AWS SDK says at its debug level (a GetObject it could not
// validate for want of a checksum), which is noise day to day.
func logLevel() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(os.Getenv("SLUICE_LOG_LEVEL"))); err != nil {
		return slog.LevelInfo
	}
	return l
}

// openLogWriter opens the log file for appending; when it cannot be
// opened, what would go there is dropped rather than put on the screen.
func openLogWriter() (io.Writer, func()) {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return io.Discard, func() {}
		}
		dir = filepath.Join(home, ".local", "state")
	}
	dir = filepath.Join(dir, "sluice")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return io.Discard, func() {}
	}
	f, err := os.OpenFile(filepath.Join(dir, "sluice.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return io.Discard, func() {}
	}
	return f, func() { _ = f.Close() }
}

// confirm asks before a write. Off a terminal, it needs --yes; under
// read-only it refuses before asking.
func (o *ops) confirm(cmd *cobra.Command, what string) error {
	return o.confirmOn(cmd, o.session, what)
}

// confirmOn asks before a write made through s, which may be another
// profile's session than the command's (a copy into another profile).
func (o *ops) confirmOn(cmd *cobra.Command, s *backend.Session, what string) error {
	if err := s.Guard(what); err != nil {
		return err
	}
	if o.flags.yes {
		return nil
	}
	in := cmd.InOrStdin()
	if !isTerminal(in) {
		return fmt.Errorf("%s: not confirmed; pass --yes to confirm when not on a terminal", what)
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "%s on profile %s. Continue? [y/N] ", what, s.Profile.Name)
	answer, _ := bufio.NewReader(in).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "y", "yes":
		return nil
	}
	return fmt.Errorf("%s: not confirmed", what)
}

// isTerminal reports whether r is a terminal: a character device that
// answers terminal requests, which /dev/null does not.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}
