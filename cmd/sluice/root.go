package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newRootCmd(info buildInfo) *cobra.Command {
	var f tuiFlags
	root := &cobra.Command{
		Use:   "sluice",
		Short: "Operate event pipelines: Kinesis streams, consumers, DLQs, archives and replay",
		Long: `sluice opens a terminal UI on the last profile used (or --profile): tabs for
Streams, Shards, DLQs, Archives and Metrics. Every action in it also has a
command below, for scripts.`,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			return runTUI(ctx, f, tuiRun{})
		},
	}
	addTUIFlags(root, &f)
	// --version prints the very line `sluice version` does.
	root.Version = info.String()
	root.SetVersionTemplate("sluice {{.Version}}\n")
	// Generated pages must not change with the day they were made.
	root.DisableAutoGenTag = true
	root.AddCommand(newVersionCmd(info), newEngineCmd(), newDemoCmd(),
		newProfilesCmd(), newStreamsCmd(), newShardsCmd(), newTailCmd(), newDLQCmd(), newHydrateCmd(),
		newArchiveCmd(), newReplayCmd(), newMetricsCmd(), newCallsCmd(), newPipelinesCmd(), newConsumersCmd(),
		newManCmd(info), newDocsCmd())
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return withUsage(cmd, err) })
	showUsageOnArgErrors(root)
	registerCompletions(root)
	return root
}

// showUsageOnArgErrors makes every command's argument errors ("accepts 1
// arg(s), received 0") end with the command's usage line, which names
// what is missing.
func showUsageOnArgErrors(cmd *cobra.Command) {
	if check := cmd.Args; check != nil {
		cmd.Args = func(c *cobra.Command, args []string) error { return withUsage(c, check(c, args)) }
	}
	for _, sub := range cmd.Commands() {
		showUsageOnArgErrors(sub)
	}
}

func withUsage(cmd *cobra.Command, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w\nusage: %s", err, cmd.UseLine())
}
