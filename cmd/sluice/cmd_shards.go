package main

import (
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/metrics"
)

// shardRow is a shard as `sluice shards` prints it: with --load, its
// recent traffic beside it.
type shardRow struct {
	inventory.Shard
	Load *metrics.ShardLoad `json:"load,omitempty"`
	Hot  bool               `json:"hot,omitempty"`
}

func newShardsCmd() *cobra.Command {
	var f opsFlags
	var load bool
	cmd := &cobra.Command{
		Use:   "shards STREAM",
		Short: "List a stream's shards: hash range, parents and children, state",
		Long: `List every shard of STREAM (a name or an ARN) still within its retention,
open and closed, with its part of the hash key space and the shards it was
split or merged from and into. -o json adds the exact hash and sequence
number ranges.

--load adds each open shard's incoming records and bytes a minute and its
iterator age over the last 5 minutes, from the shard-level metrics, and
marks a hot shard (twice the open shards' mean records a minute or more).
On AWS those metrics exist only under enhanced monitoring; without it the
columns stay empty and a note on stderr says so.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			o, err := openOps(ctx, cmd, f)
			if err != nil {
				return err
			}
			defer o.close()
			shards, err := inventory.ListShards(ctx, o.session, args[0])
			if err != nil {
				return err
			}
			rows := make([]shardRow, len(shards))
			var open []string
			for i, s := range shards {
				rows[i].Shard = s
				if s.Open {
					open = append(open, s.ID)
				}
			}
			if !load {
				return printRows(o.out, rows, shardColumns)
			}
			loads, err := metrics.ReadShardLoads(ctx, o.session, args[0], open, time.Now())
			if err != nil {
				return err
			}
			if !loads.Monitoring() {
				fmt.Fprintf(cmd.ErrOrStderr(), "note: %s has no shard-level metrics: enable enhanced monitoring (IncomingRecords, IncomingBytes, IteratorAgeMilliseconds) to see each shard's load\n", args[0])
			} else {
				hot := loads.Hot(open)
				for i := range rows {
					if rows[i].Open {
						l := loads.Loads[rows[i].ID]
						rows[i].Load, rows[i].Hot = &l, hot[rows[i].ID]
					}
				}
			}
			return printRows(o.out, rows, append(shardColumns, loadColumns...))
		},
	}
	addOpsFlags(cmd, &f)
	cmd.Flags().BoolVar(&load, "load", false, "add each open shard's records and bytes a minute and iterator age (shard-level metrics)")
	return cmd
}

// loadColumns are --load's columns; "-" where the shard has no load.
var loadColumns = []column[shardRow]{
	{"REC/MIN", func(s shardRow) string {
		if s.Load == nil {
			return "-"
		}
		mark := ""
		if s.Hot {
			mark = " (hot)"
		}
		return fmt.Sprintf("%.1f%s", s.Load.RecordsPerMinute, mark)
	}},
	{"BYTES/MIN", func(s shardRow) string {
		if s.Load == nil {
			return "-"
		}
		return fmt.Sprintf("%.0f", s.Load.BytesPerMinute)
	}},
	{"ITER AGE", func(s shardRow) string {
		if s.Load == nil || !s.Load.HasAge {
			return "-"
		}
		return (time.Duration(s.Load.IteratorAgeMs) * time.Millisecond).String()
	}},
}

var shardColumns = []column[shardRow]{
	{"SHARD", func(s shardRow) string { return s.ID }},
	{"STATE", func(s shardRow) string {
		if s.Open {
			return "open"
		}
		return "closed"
	}},
	{"HASH RANGE", func(s shardRow) string {
		return fmt.Sprintf("%.4f–%.4f", keyspaceAt(s.HashStart), keyspaceAt(s.HashEnd))
	}},
	{"SHARE", func(s shardRow) string { return fmt.Sprintf("%.2f%%", 100*s.KeyspaceShare) }},
	{"PARENTS", func(s shardRow) string {
		return cellOrDash(strings.Join(nonEmpty(s.ParentID, s.AdjacentParentID), ", "))
	}},
	{"CHILDREN", func(s shardRow) string { return cellOrDash(strings.Join(s.Children, ", ")) }},
}

// keyspaceAt places a decimal hash key in the key space, as a fraction
// of 2^128: easier to read than 39 digits.
func keyspaceAt(key string) float64 {
	n, ok := new(big.Float).SetString(key)
	if !ok {
		return 0
	}
	f, _ := n.Quo(n, new(big.Float).SetMantExp(big.NewFloat(1), 128)).Float64()
	return f
}

func nonEmpty(v ...string) []string {
	var out []string
	for _, s := range v {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
