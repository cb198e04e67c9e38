package main

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sluicehq/sluice/backend/inventory"
)

func newShardsCmd() *cobra.Command {
	var f opsFlags
	cmd := &cobra.Command{
		Use:   "shards STREAM",
		Short: "List a stream's shards: hash range, parents and children, state",
		Long: `List every shard of STREAM (a name or an ARN) still within its retention,
open and closed, with its part of the hash key space and the shards it was
split or merged from and into. -o json adds the exact hash and sequence
number ranges.`,
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
			return printRows(o.out, shards, shardColumns)
		},
	}
	addOpsFlags(cmd, &f)
	return cmd
}

var shardColumns = []column[inventory.Shard]{
	{"SHARD", func(s inventory.Shard) string { return s.ID }},
	{"STATE", func(s inventory.Shard) string {
		if s.Open {
			return "open"
		}
		return "closed"
	}},
	{"HASH RANGE", func(s inventory.Shard) string {
		return fmt.Sprintf("%.4f–%.4f", keyspaceAt(s.HashStart), keyspaceAt(s.HashEnd))
	}},
	{"SHARE", func(s inventory.Shard) string { return fmt.Sprintf("%.2f%%", 100*s.KeyspaceShare) }},
	{"PARENTS", func(s inventory.Shard) string {
		return cellOrDash(strings.Join(nonEmpty(s.ParentID, s.AdjacentParentID), ", "))
	}},
	{"CHILDREN", func(s inventory.Shard) string { return cellOrDash(strings.Join(s.Children, ", ")) }},
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
