package backend

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// AWSConfigFiles are the shared config and credentials files the SDK reads.
type AWSConfigFiles struct {
	Config, Credentials string
}

// DefaultAWSConfigFiles honours AWS_CONFIG_FILE and
// AWS_SHARED_CREDENTIALS_FILE, as the SDK does.
func DefaultAWSConfigFiles() AWSConfigFiles {
	home, _ := os.UserHomeDir()
	f := AWSConfigFiles{
		Config:      filepath.Join(home, ".aws", "config"),
		Credentials: filepath.Join(home, ".aws", "credentials"),
	}
	if p := os.Getenv("AWS_CONFIG_FILE"); p != "" {
		f.Config = p
	}
	if p := os.Getenv("AWS_SHARED_CREDENTIALS_FILE"); p != "" {
		f.Credentials = p
	}
	return f
}

// AWSProfiles lists the profiles of the shared config and credentials
// files, with what kind of credentials each uses. Missing files are fine.
func AWSProfiles(files AWSConfigFiles) ([]Profile, error) {
	byName := map[string]*Profile{}
	order := []string{}
	get := func(name string) *Profile {
		if p, ok := byName[name]; ok {
			return p
		}
		p := &Profile{Name: name, AWSProfile: name, Kind: KindStatic, Source: "aws config"}
		byName[name] = p
		order = append(order, name)
		return p
	}
	err := readINI(files.Config, func(section, key, value string) {
		name, ok := profileSection(section)
		if !ok {
			return
		}
		classify(get(name), key, value)
	})
	if err != nil {
		return nil, err
	}
	err = readINI(files.Credentials, func(section, key, value string) {
		classify(get(section), key, value)
	})
	if err != nil {
		return nil, err
	}
	out := make([]Profile, 0, len(order))
	for _, n := range order {
		p := *byName[n]
		p.Creds = sourceOf(p, byName)
		p.Renew = renewCommand(p.Creds)
		out = append(out, p)
	}
	return out, nil
}

// profileSection names the profile of a config-file section: "default" or
// "profile NAME"; sso-session and services sections are not profiles.
func profileSection(section string) (string, bool) {
	if section == "default" {
		return section, true
	}
	name, ok := strings.CutPrefix(section, "profile ")
	name = strings.TrimSpace(name)
	return name, ok && name != ""
}

func classify(p *Profile, key, value string) {
	switch key {
	case "region":
		p.Region = value
	case "sso_session", "sso_start_url", "sso_account_id":
		p.Kind = KindSSO
	case "role_arn":
		if p.Kind != KindSSO {
			p.Kind = KindAssumeRole
		}
	case "source_profile":
		p.SourceProfile = value
	case "credential_process":
		p.Kind = KindProcess
	case "web_identity_token_file":
		p.Kind = KindWebIdentity
		p.Creds.TokenFile = value
	case "endpoint_url":
		// Not Endpoint, which sluice sends every call to: the SDK reads
		// this one itself, below the services section and the
		// AWS_ENDPOINT_URL variables.
		p.AWSEndpoint = value
	}
}

// readINI calls fn for every key of an AWS-style INI file, with its
// section. Nested (indented) keys of a sub-section are skipped.
func readINI(path string, fn func(section, key, value string)) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) || path == "" {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	section := ""
	for lineNo := 1; sc.Scan(); lineNo++ {
		raw := sc.Text()
		line := strings.TrimSpace(raw)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			end := strings.IndexByte(line, ']')
			if end < 0 {
				return fmt.Errorf("%s: line %d: section header %q has no closing ]", path, lineNo, line)
			}
			section = strings.TrimSpace(line[1:end])
			continue
		}
		if raw[0] == ' ' || raw[0] == '\t' {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok || section == "" {
			continue
		}
		fn(section, strings.TrimSpace(key), strings.TrimSpace(value))
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

// sourceOf follows an assume-role profile to the profile its credentials
// start from.
func sourceOf(p Profile, byName map[string]*Profile) CredentialSource {
	for hops := 0; p.Kind == KindAssumeRole && p.SourceProfile != "" && hops < 5; hops++ {
		src, ok := byName[p.SourceProfile]
		if !ok {
			break
		}
		p = *src
	}
	return CredentialSource{Kind: p.Kind, Profile: p.Name, TokenFile: p.Creds.TokenFile}
}

// renewCommand is the command that renews credentials from src; "" for a
// credential_process or a web identity token, whose renewal sluice cannot
// know.
func renewCommand(src CredentialSource) string {
	switch src.Kind {
	case KindSSO:
		return "aws sso login --profile " + src.Profile
	case KindStatic:
		return "aws configure --profile " + src.Profile
	}
	return ""
}
