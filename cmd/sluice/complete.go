package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/complete"
	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/localengine"
)

// completionTimeout bounds every completion: the shell waits for it, and
// a slow or silent account must cost a pause, not a hung prompt.
const completionTimeout = 3 * time.Second

// lookup finds the names for the word being completed, given the
// arguments before it, on the profile the line names.
type lookup func(ctx context.Context, s *backend.Session, cfg config.File, args []string, typed string) ([]string, error)

// argKinds says what each command's arguments name, by command path;
// the last kind repeats for the arguments after it (KEY...).
var argKinds = map[string]struct {
	kinds  []lookup
	repeat bool
}{
	"sluice tail":               {kinds: []lookup{streamNames}},
	"sluice shards":             {kinds: []lookup{streamNames}},
	"sluice streams delete":     {kinds: []lookup{streamNames}},
	"sluice streams retention":  {kinds: []lookup{streamNames}},
	"sluice streams put":        {kinds: []lookup{streamNames}},
	"sluice dlq peek":           {kinds: []lookup{dlqNames}},
	"sluice dlq delete":         {kinds: []lookup{dlqNames}},
	"sluice dlq purge":          {kinds: []lookup{dlqNames}},
	"sluice dlq redrive":        {kinds: []lookup{dlqNames}},
	"sluice dlq export":         {kinds: []lookup{dlqNames}},
	"sluice dlq hydrate":        {kinds: []lookup{dlqNames}},
	"sluice hydrate":            {kinds: []lookup{dlqNames}},
	"sluice metrics":            {kinds: []lookup{metricResources}},
	"sluice archive get":        {kinds: []lookup{archiveKeys}},
	"sluice archive mark":       {kinds: []lookup{archiveKeys}, repeat: true},
	"sluice archive rm":         {kinds: []lookup{archiveKeys}, repeat: true},
	"sluice replay":             {kinds: []lookup{archiveKeys}, repeat: true},
	"sluice consumers describe": {kinds: []lookup{runningConsumers}},
	"sluice consumers stop":     {kinds: []lookup{runningConsumers}},
	"sluice consumers start":    {kinds: []lookup{runningConsumers}},
}

// flagValues are the fixed values of flags, offered without a call.
var flagValues = map[string][]string{
	"output":    {"table", "json", "jsonl"},
	"log-level": {"debug", "info", "warn", "error"},
	// The forms of tail's --from; a sequence number is the reader's own.
	"from": {"trim-horizon", "latest", "15m", "1h", "24h", "after:"},
}

// regions are AWS's commercial regions, offered for --region.
var regions = []string{
	"af-south-1", "ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7",
	"ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
	"eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1", "mx-central-1",
	"sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
}

// registerCompletions gives every command of the tree completion of the
// things it names: arguments by command, flags by name.
func registerCompletions(cmd *cobra.Command) {
	if spec, ok := argKinds[cmd.CommandPath()]; ok {
		cmd.ValidArgsFunction = completeArgs(spec.kinds, spec.repeat)
	}
	fl := cmd.Flags()
	for name, values := range flagValues {
		dir := cobra.ShellCompDirectiveNoFileComp
		if name == "from" {
			dir |= cobra.ShellCompDirectiveNoSpace // after: goes on with a sequence number
		}
		if fl.Lookup(name) != nil {
			_ = cmd.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(values, dir))
		}
	}
	if fl.Lookup("region") != nil {
		_ = cmd.RegisterFlagCompletionFunc("region", cobra.FixedCompletions(regions, cobra.ShellCompDirectiveNoFileComp))
	}
	for _, name := range []string{"profile", "to-profile"} {
		if fl.Lookup(name) != nil {
			_ = cmd.RegisterFlagCompletionFunc(name, completeProfiles)
		}
	}
	if fl.Lookup("stream") != nil {
		_ = cmd.RegisterFlagCompletionFunc("stream", completeWith(streamNames))
	}
	if fl.Lookup("dlq") != nil {
		_ = cmd.RegisterFlagCompletionFunc("dlq", completeWith(dlqNames))
	}
	if fl.Lookup("shard") != nil {
		_ = cmd.RegisterFlagCompletionFunc("shard", completeWith(shardIDs))
	}
	if fl.Lookup("consumer") != nil {
		_ = cmd.RegisterFlagCompletionFunc("consumer", completeWith(consumerNames))
	}
	for _, sub := range cmd.Commands() {
		registerCompletions(sub)
	}
}

func completeArgs(kinds []lookup, repeat bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, typed string) ([]string, cobra.ShellCompDirective) {
		i := len(args)
		if i >= len(kinds) && repeat {
			i = len(kinds) - 1
		}
		if i >= len(kinds) {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return completeWith(kinds[i])(cmd, args, typed)
	}
}

// completeWith runs a lookup on the line's profile, bounded by
// completionTimeout. Whatever fails, the shell gets no candidates and
// nothing is printed: completion never puts an error on the terminal.
func completeWith(find lookup) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, typed string) ([]string, cobra.ShellCompDirective) {
		ctx, cancel := context.WithTimeout(contextOf(cmd), completionTimeout)
		defer cancel()
		s, cfg, err := openCompletionSession(ctx, cmd)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		names, err := find(ctx, s, cfg, args, typed)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		dir := cobra.ShellCompDirectiveNoFileComp
		if slices.ContainsFunc(names, func(n string) bool { return strings.HasSuffix(n, "/") }) {
			// A folder of the archive: the key goes on after it.
			dir |= cobra.ShellCompDirectiveNoSpace
		}
		return names, dir
	}
}

func contextOf(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

// openCompletionSession opens the profile the line names (--profile,
// --region, --endpoint-url, --config, --data, else as a command would),
// read-only. The local profile only attaches to an engine already
// serving the data directory: completing a word must not start one.
func openCompletionSession(ctx context.Context, cmd *cobra.Command) (*backend.Session, config.File, error) {
	flag := func(name string) string {
		v, _ := cmd.Flags().GetString(name)
		return v
	}
	cfg, err := loadConfig(flag("config"))
	if err != nil {
		return nil, cfg, err
	}
	profile, _, err := pickProfile(flag("profile"), cfg)
	if err != nil {
		return nil, cfg, err
	}
	dataDir, err := dataDirOf(flag("data"))
	if err != nil {
		return nil, cfg, err
	}
	env := backend.Env{
		Local: attachOnly(dataDir), Calls: backend.NewCallLog(0),
		Region: firstSet(flag("region"), os.Getenv("AWS_REGION")), Endpoint: flag("endpoint-url"),
		ReadOnly: true, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	s, err := backend.Open(ctx, profile, env)
	return s, cfg, err
}

// attachOnly is the engine already serving dataDir, or an error.
func attachOnly(dataDir string) backend.LocalEngine {
	return func(context.Context) (string, error) {
		addr, err := localengine.ReadAddress(dataDir)
		if err != nil {
			return "", err
		}
		if !reachable(addr.Addr) {
			return "", errors.New("no engine serves " + dataDir)
		}
		return addr.URL, nil
	}
}

// completeProfiles offers the profile names from the sluice config and
// the AWS config files; no call is made.
func completeProfiles(cmd *cobra.Command, _ []string, typed string) ([]string, cobra.ShellCompDirective) {
	configPath, _ := cmd.Flags().GetString("config")
	cfg, err := loadConfig(configPath)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	awsProfiles, err := backend.AWSProfiles(backend.DefaultAWSConfigFiles())
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var names []string
	for _, p := range backend.Profiles(awsProfiles, cfg) {
		if strings.HasPrefix(p.Name, typed) {
			names = append(names, p.Name)
		}
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}

func runningConsumers(ctx context.Context, s *backend.Session, _ config.File, _ []string, typed string) ([]string, error) {
	return complete.Running(ctx, s, typed)
}

func streamNames(ctx context.Context, s *backend.Session, _ config.File, _ []string, typed string) ([]string, error) {
	return complete.Streams(ctx, s, typed)
}

func dlqNames(ctx context.Context, s *backend.Session, cfg config.File, _ []string, typed string) ([]string, error) {
	return complete.DLQs(ctx, s, cfg.Pipelines, typed)
}

func consumerNames(ctx context.Context, s *backend.Session, cfg config.File, _ []string, typed string) ([]string, error) {
	return complete.Consumers(ctx, s, cfg.Pipelines, typed)
}

func archiveKeys(ctx context.Context, s *backend.Session, cfg config.File, _ []string, typed string) ([]string, error) {
	return complete.ArchiveKeys(ctx, s, cfg.Pipelines, typed)
}

// shardIDs completes --shard from the stream named first on the line.
func shardIDs(ctx context.Context, s *backend.Session, _ config.File, args []string, typed string) ([]string, error) {
	if len(args) == 0 {
		return nil, errors.New("no stream named yet")
	}
	return complete.Shards(ctx, s, args[0], typed)
}

// metricResources offers the names of streams and queues (a bare name
// is tried as a stream, then a queue) and, once a kind is typed,
// stream/NAME and queue/NAME.
func metricResources(ctx context.Context, s *backend.Session, _ config.File, _ []string, typed string) ([]string, error) {
	kind, name, hasKind := strings.Cut(typed, "/")
	if !hasKind {
		kind, name = "", typed
	}
	var out []string
	var errs []error
	for _, k := range []struct {
		kind string
		list func(context.Context, *backend.Session, string) ([]string, error)
	}{{"stream", complete.Streams}, {"queue", complete.Queues}} {
		if hasKind && kind != k.kind {
			continue
		}
		names, err := k.list(ctx, s, name)
		errs = append(errs, err)
		for _, n := range names {
			if hasKind {
				n = k.kind + "/" + n
			}
			out = append(out, n)
		}
	}
	if !hasKind {
		for _, k := range []string{"stream/", "queue/", "pipe/"} {
			if strings.HasPrefix(k, typed) {
				out = append(out, k)
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}
