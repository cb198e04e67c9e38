package backend

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/smithy-go"
)

func TestErrorCodeLooksThroughWrapping(t *testing.T) {
	err := fmt.Errorf("describe orders: %w", &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "no"})
	if ErrorCode(err) != "ResourceNotFoundException" || !IsCode(err, "Other", "ResourceNotFoundException") || IsCode(err, "Other") {
		t.Fatalf("code %q", ErrorCode(err))
	}
	if plain := errors.New("dial tcp: refused"); ErrorCode(plain) != "" || IsCode(plain, "") {
		t.Fatal("a plain error has a code")
	}
}
