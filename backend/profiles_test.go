package backend

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/backend/config"
)

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAWSProfilesKnowEachKind(t *testing.T) {
	dir := t.TempDir()
	files := AWSConfigFiles{
		Config: writeFile(t, dir, "config", `
[default]
region = us-east-1

[profile prod]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin
region = eu-west-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile deploy]
role_arn = arn:aws:iam::111122223333:role/deploy
source_profile = prod

[profile vault]
credential_process = vault-aws creds
[profile stack]
endpoint_url = http://localhost:4566
services =
  s3 =
    endpoint_url = http://other
`),
		Credentials: writeFile(t, dir, "credentials", `
[default]
aws_access_key_id = AKIA
aws_secret_access_key = secret
[ci]
aws_access_key_id = AKIB
aws_secret_access_key = secret
`),
	}
	got, err := AWSProfiles(files)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Profile{}
	for _, p := range got {
		byName[p.Name] = p
	}
	want := map[string]struct {
		kind   ProfileKind
		region string
		renew  string
	}{
		"default": {KindStatic, "us-east-1", "aws configure --profile default"},
		"prod":    {KindSSO, "eu-west-1", "aws sso login --profile prod"},
		"deploy":  {KindAssumeRole, "", "aws sso login --profile prod"},
		"vault":   {KindProcess, "", ""}, // sluice cannot know what renews a process's credentials,
		"stack":   {KindStatic, "", "aws configure --profile stack"},
		"ci":      {KindStatic, "", "aws configure --profile ci"},
	}
	if len(byName) != len(want) {
		t.Errorf("profiles %v, want %d (sso-session is not a profile)", got, len(want))
	}
	for name, w := range want {
		p := byName[name]
		if p.Kind != w.kind || p.Region != w.region || p.Renew != w.renew {
			t.Errorf("%s = %+v, want %+v", name, p, w)
		}
	}
	// The profile's endpoint_url is for display; sluice does not send every
	// call there, as the SDK ranks it below the services section.
	if st := byName["stack"]; st.AWSEndpoint != "http://localhost:4566" || st.Endpoint != "" {
		t.Errorf("stack endpoint %q, AWS endpoint %q: the nested services endpoint must not win", st.Endpoint, st.AWSEndpoint)
	}
}

func TestAWSProfilesMissingFilesAndBadHeader(t *testing.T) {
	dir := t.TempDir()
	got, err := AWSProfiles(AWSConfigFiles{Config: filepath.Join(dir, "no"), Credentials: filepath.Join(dir, "none")})
	if err != nil || len(got) != 0 {
		t.Fatalf("%v %v", got, err)
	}
	bad := writeFile(t, dir, "config", "[profile x\nregion=a\n")
	if _, err := AWSProfiles(AWSConfigFiles{Config: bad}); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("err = %v, want line 1", err)
	}
}

func TestProfilesMergeLocalAWSAndSluiceConfig(t *testing.T) {
	aws := []Profile{
		{Name: "prod", AWSProfile: "prod", Kind: KindSSO, Region: "eu-west-1", Renew: "aws sso login --profile prod"},
		{Name: "dev", AWSProfile: "dev", Kind: KindStatic, Region: "us-east-1"},
	}
	cfg := config.File{Profiles: []config.Profile{
		{Name: "prod", Color: "#ff0000", ReadOnly: true},
		{Name: "prod-us", AWSProfile: "prod", Region: "us-east-1", Color: "red"},
		{Name: "stack", Endpoint: "http://localhost:4566", Region: "us-east-1"},
	}}
	all := Profiles(aws, cfg)
	names := []string{}
	for _, p := range all {
		names = append(names, p.Name)
	}
	if strings.Join(names, ",") != "local,dev,prod,prod-us,stack" {
		t.Fatalf("order %v: local first, then by name", names)
	}
	prod, _ := FindProfile(all, "prod")
	if !prod.ReadOnly || prod.Color != "#ff0000" || prod.Kind != KindSSO || prod.Region != "eu-west-1" {
		t.Errorf("prod %+v", prod)
	}
	us, _ := FindProfile(all, "prod-us")
	if us.AWSProfile != "prod" || us.Region != "us-east-1" || us.Kind != KindSSO || us.Renew != "aws sso login --profile prod" {
		t.Errorf("prod-us %+v", us)
	}
	stack, _ := FindProfile(all, "stack")
	if stack.Endpoint != "http://localhost:4566" || stack.Kind != KindEndpoint {
		t.Errorf("stack %+v", stack)
	}
	if _, err := FindProfile(all, "nope"); err == nil || !strings.Contains(err.Error(), "prod-us") {
		t.Errorf("unknown profile error %v should list the known ones", err)
	}
}
