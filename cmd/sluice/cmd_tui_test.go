package main

import "testing"

func TestPlacementKeepsTheFlagsWithTheFirstProfile(t *testing.T) {
	f := tuiFlags{region: "eu-west-1", endpoint: "http://localhost:4566"}
	for _, c := range []struct {
		name, profile, region  string
		wantRegion, wantTarget string
	}{
		{"the first open", "dev", "", "eu-west-1", "http://localhost:4566"},
		{":readonly reopens it in its region", "dev", "eu-west-1", "eu-west-1", "http://localhost:4566"},
		{":region keeps the endpoint", "dev", "us-east-2", "us-east-2", "http://localhost:4566"},
		{"another profile takes neither", "prod", "", "", ""},
		{"another profile in a region", "prod", "us-east-2", "us-east-2", ""},
	} {
		region, endpoint := f.placement("dev", c.profile, c.region)
		if region != c.wantRegion || endpoint != c.wantTarget {
			t.Errorf("%s: region %q endpoint %q, want %q %q", c.name, region, endpoint, c.wantRegion, c.wantTarget)
		}
	}
}
