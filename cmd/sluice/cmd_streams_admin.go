package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/streamadmin"
)

// addStreamAdminCmds gives `sluice streams` the twins of the Streams tab's
// writes: create, delete, retention and put.
func addStreamAdminCmds(streams *cobra.Command) {
	streams.AddCommand(newStreamCreateCmd(), newStreamDeleteCmd(), newStreamRetentionCmd(), newStreamPutCmd())
}

// streamWrite runs fn on an open session after the confirmation.
func streamWrite(cmd *cobra.Command, f opsFlags, what string, fn func(ctx context.Context, o *ops) error) error {
	ctx := cmd.Context()
	o, err := openOps(ctx, cmd, f)
	if err != nil {
		return err
	}
	defer o.close()
	if err := o.confirm(cmd, what); err != nil {
		return err
	}
	return fn(ctx, o)
}

func newStreamCreateCmd() *cobra.Command {
	var f opsFlags
	var shards int
	var onDemand bool
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a stream with --shards N, or --on-demand",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !onDemand && (shards < 1 || shards > 10000) {
				return fmt.Errorf("--shards %d: want 1 to 10000, or --on-demand", shards)
			}
			what := fmt.Sprintf("create stream %s with %d shards", args[0], shards)
			if onDemand {
				what = "create on-demand stream " + args[0]
			}
			return streamWrite(cmd, f, what, func(ctx context.Context, o *ops) error {
				return streamadmin.Create(ctx, o.session, args[0], shards, onDemand)
			})
		},
	}
	cmd.Flags().IntVar(&shards, "shards", 1, "number of shards (provisioned mode)")
	cmd.Flags().BoolVar(&onDemand, "on-demand", false, "on-demand capacity mode")
	addOpsFlags(cmd, &f)
	return cmd
}

func newStreamDeleteCmd() *cobra.Command {
	var f opsFlags
	var consumers bool
	cmd := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a stream and every record in it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return streamWrite(cmd, f, "delete stream "+args[0]+" and every record in it", func(ctx context.Context, o *ops) error {
				return streamadmin.Delete(ctx, o.session, args[0], consumers)
			})
		},
	}
	cmd.Flags().BoolVar(&consumers, "with-consumers", false, "delete its enhanced fan-out consumers too")
	addOpsFlags(cmd, &f)
	return cmd
}

func newStreamRetentionCmd() *cobra.Command {
	var f opsFlags
	cmd := &cobra.Command{
		Use:   "retention NAME HOURS",
		Short: "Change how long a stream keeps records (24 to 8760 hours)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			hours, err := strconv.Atoi(args[1])
			if err != nil || hours < 24 || hours > 8760 {
				return fmt.Errorf("retention %q: want 24 to 8760 hours", args[1])
			}
			return streamWrite(cmd, f, fmt.Sprintf("set the retention of stream %s to %d hours", args[0], hours), func(ctx context.Context, o *ops) error {
				st, err := inventory.DescribeStream(ctx, o.session, args[0])
				if err != nil {
					return err
				}
				return streamadmin.SetRetention(ctx, o.session, args[0], st.RetentionHours, hours)
			})
		},
	}
	addOpsFlags(cmd, &f)
	return cmd
}

func newStreamPutCmd() *cobra.Command {
	var f opsFlags
	var key, data, file string
	cmd := &cobra.Command{
		Use:   "put STREAM --key KEY (--body DATA | --file FILE|-)",
		Short: "Put one test record",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if key == "" {
				return fmt.Errorf("--key: a partition key is needed")
			}
			body := []byte(data)
			switch {
			case file == "-":
				b, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), 10<<20+1))
				if err != nil {
					return err
				}
				body = b
			case file != "":
				b, err := os.ReadFile(file)
				if err != nil {
					return err
				}
				body = b
			}
			return streamWrite(cmd, f, "put a record into stream "+args[0], func(ctx context.Context, o *ops) error {
				shard, seq, err := streamadmin.PutRecord(ctx, o.session, args[0], key, body)
				if err != nil {
					return err
				}
				return printOne(o.out, map[string]string{"shardId": shard, "sequenceNumber": seq}, func(w io.Writer) error {
					_, err := fmt.Fprintf(w, "%s %s\n", shard, seq)
					return err
				})
			})
		},
	}
	cmd.Flags().StringVar(&key, "key", "", "partition key")
	cmd.Flags().StringVar(&data, "body", "", "the record's data")
	cmd.Flags().StringVar(&file, "file", "", "read the data from a file, or - for standard input")
	addOpsFlags(cmd, &f)
	return cmd
}
