package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// buildInfo is what the release build stamped into the binary.
type buildInfo struct {
	Version, Commit, Date string
}

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
	root.AddCommand(newVersionCmd(info), newEngineCmd(), newDemoCmd(),
		newProfilesCmd(), newStreamsCmd(), newShardsCmd(), newTailCmd(), newDLQCmd(), newHydrateCmd(),
		newArchiveCmd(), newReplayCmd(), newMetricsCmd(), newCallsCmd(), newPipelinesCmd())
	return root
}

func newVersionCmd(info buildInfo) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and build date",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "sluice %s (commit %s, built %s)\n", info.Version, info.Commit, info.Date)
			return err
		},
	}
}
