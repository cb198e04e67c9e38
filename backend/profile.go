package backend

import (
	"fmt"
	"sort"

	"github.com/sluicehq/sluice/backend/config"
)

// LocalProfile is the name of the profile that uses the bundled engine.
const LocalProfile = "local"

// ProfileKind says where a profile's credentials come from, which decides
// the command that renews them.
type ProfileKind string

const (
	KindLocal       ProfileKind = "local"
	KindSSO         ProfileKind = "sso"
	KindAssumeRole  ProfileKind = "assume-role"
	KindStatic      ProfileKind = "static"
	KindProcess     ProfileKind = "credential-process"
	KindWebIdentity ProfileKind = "web-identity"
	KindEndpoint    ProfileKind = "endpoint"
)

// Profile is one place sluice can operate.
type Profile struct {
	Name string
	Kind ProfileKind
	// AWSProfile names the shared-config profile behind it; empty for local
	// and for the SDK's default chain.
	AWSProfile string
	Region     string
	// Endpoint overrides every service's URL (LocalStack, another engine):
	// the sluice config's endpoint. AWS's own settings are not here.
	Endpoint string
	// AWSEndpoint is the AWS profile's endpoint_url, for display: the SDK
	// applies it, after AWS_ENDPOINT_URL[_<SERVICE>] and the services
	// section.
	AWSEndpoint string
	Color       string
	ReadOnly    bool
	// SourceProfile is the profile an assume-role profile starts from.
	SourceProfile string
	// Creds is where the profile's credentials finally come from (for
	// an assume-role profile, the profile it starts from); empty when
	// unknown (the SDK's default chain).
	Creds CredentialSource
	// Renew is the command that renews the profile's credentials; ""
	// when none is known (credential_process, web identity).
	Renew string
	// Source says where the profile was found, for the profile picker.
	Source string
}

// CredentialSource is where a profile's credentials come from: what
// decides the fix when they fail.
type CredentialSource struct {
	// Kind is KindSSO, KindStatic, KindProcess or KindWebIdentity (or
	// KindAssumeRole when the role starts from no profile).
	Kind ProfileKind
	// Profile is the AWS profile that holds them.
	Profile string
	// TokenFile is a web identity profile's web_identity_token_file.
	TokenFile string
}

// credentialSource is p's source, or p itself when unknown.
func credentialSource(p Profile) CredentialSource {
	if p.Creds.Kind != "" {
		return p.Creds
	}
	return CredentialSource{Kind: p.Kind, Profile: firstNonEmpty(p.AWSProfile, p.Name)}
}

// IsLocal reports whether the profile uses the bundled engine.
func (p Profile) IsLocal() bool { return p.Kind == KindLocal }

// Profiles lists every profile: local first, then the AWS config's, with
// the sluice config's profiles decorating (or adding to) them.
func Profiles(aws []Profile, cfg config.File) []Profile {
	byName := map[string]Profile{LocalProfile: {Name: LocalProfile, Kind: KindLocal, Region: "us-east-1", Color: "#5fafaf", Source: "bundled engine"}}
	for _, p := range aws {
		byName[p.Name] = p
	}
	for _, c := range cfg.Profiles {
		p, ok := byName[c.Name]
		if !ok {
			p = Profile{Name: c.Name, Kind: KindEndpoint, Source: "sluice config"}
			if c.AWSProfile != "" {
				p.Kind = KindStatic
				if base, ok := byName[c.AWSProfile]; ok {
					p.Kind, p.Region, p.Renew, p.Creds = base.Kind, base.Region, base.Renew, base.Creds
				}
			}
		}
		if c.AWSProfile != "" {
			p.AWSProfile = c.AWSProfile
		}
		if c.Region != "" {
			p.Region = c.Region
		}
		if c.Endpoint != "" {
			p.Endpoint = c.Endpoint
		}
		if c.Color != "" {
			p.Color = c.Color
		}
		p.ReadOnly = p.ReadOnly || c.ReadOnly
		byName[c.Name] = p
	}
	out := make([]Profile, 0, len(byName))
	for _, p := range byName {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Name == LocalProfile) != (out[j].Name == LocalProfile) {
			return out[i].Name == LocalProfile
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// FindProfile picks name from profiles.
func FindProfile(profiles []Profile, name string) (Profile, error) {
	for _, p := range profiles {
		if p.Name == name {
			return p, nil
		}
	}
	names := make([]string, 0, len(profiles))
	for _, p := range profiles {
		names = append(names, p.Name)
	}
	return Profile{}, fmt.Errorf("no profile %q: known profiles are %v (AWS config, sluice config, and local)", name, names)
}
