package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/inert"
)

// profileRow is one profile as `sluice profiles` prints it. Credentials
// are never part of it.
type profileRow struct {
	Name       string `json:"name"`
	Kind       string `json:"kind"`
	AWSProfile string `json:"awsProfile,omitempty"`
	Region     string `json:"region,omitempty"`
	// Endpoint says where calls go, compactly (one URL, or per service);
	// Endpoints is the custom endpoint of each service that has one.
	Endpoint  string            `json:"endpoint,omitempty"`
	Endpoints map[string]string `json:"endpoints,omitempty"`
	ReadOnly  bool              `json:"readOnly"`
	Color     string            `json:"color,omitempty"`
	Source    string            `json:"source"`
	Renew     string            `json:"renew,omitempty"`
	// Default marks the profile a command picks without --profile.
	Default bool `json:"default"`
}

func newProfilesCmd() *cobra.Command {
	var f opsFlags
	cmd := &cobra.Command{
		Use:   "profiles",
		Short: "List the profiles sluice can operate: local, the AWS config's and the sluice config's",
		Long: `List every profile: the bundled engine (local), each profile of the AWS
config and credentials files, and those of sluice's config file, with where
each comes from and whether it is read-only. The one marked * is the one
a command uses without --profile ($AWS_PROFILE, else the one last used,
else the config's default_profile, else local). No AWS call is made.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out, err := newOutput(f.output, cmd.OutOrStdout())
			if err != nil {
				return err
			}
			cfg, err := loadConfig(f.configPath)
			if err != nil {
				return err
			}
			awsProfiles, err := backend.AWSProfiles(backend.DefaultAWSConfigFiles())
			if err != nil {
				return err
			}
			picked, note, pickErr := pickProfile(f.profile, cfg)
			var rows []profileRow
			for _, p := range backend.Profiles(awsProfiles, cfg) {
				eps := profileEndpoints(cmd.Context(), p)
				rows = append(rows, profileRow{
					Name: p.Name, Kind: string(p.Kind), AWSProfile: p.AWSProfile, Region: p.Region,
					Endpoint: backend.DescribeEndpoints(eps), Endpoints: eps,
					ReadOnly: p.ReadOnly, Color: p.Color, Source: p.Source, Renew: p.Renew,
					Default: pickErr == nil && p.Name == picked.Name,
				})
			}
			if err := printRows(out, rows, profileColumns); err != nil {
				return err
			}
			if pickErr != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), "note: "+inert.Line(pickErr.Error()))
			}
			if note != "" {
				fmt.Fprintln(cmd.ErrOrStderr(), "note: "+note)
			}
			return nil
		},
	}
	addOpsFlags(cmd, &f)
	return cmd
}

var profileColumns = []column[profileRow]{
	{"", func(p profileRow) string { return cellMark(p.Default) }},
	{"NAME", func(p profileRow) string { return p.Name }},
	{"KIND", func(p profileRow) string { return p.Kind }},
	{"REGION", func(p profileRow) string { return cellOrDash(p.Region) }},
	{"ENDPOINT", func(p profileRow) string { return cellOrDash(p.Endpoint) }},
	{"READ-ONLY", func(p profileRow) string { return cellYesNo(p.ReadOnly) }},
	{"SOURCE", func(p profileRow) string { return p.Source }},
}

func cellMark(b bool) string {
	if b {
		return "*"
	}
	return ""
}

func cellYesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func cellOrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// profileEndpoints is where p's calls go, as a session would resolve them
// (AWS_ENDPOINT_URL_<SERVICE>, the services section, …), so that a profile
// pointed at a local stack never reads as production. A profile the SDK
// cannot load shows the endpoints its files name.
func profileEndpoints(ctx context.Context, p backend.Profile) map[string]string {
	eps, err := backend.ProfileEndpoints(ctx, p, "")
	if err == nil {
		return eps
	}
	eps = map[string]string{}
	if ep := firstSet(p.Endpoint, p.AWSEndpoint); ep != "" {
		for _, svc := range backend.Services {
			eps[svc] = ep
		}
	}
	return eps
}
