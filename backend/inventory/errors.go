package inventory

import (
	"errors"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"

	"github.com/sluicehq/sluice/backend"
)

// ErrNotServed says that the endpoint does not serve a service or an
// operation: the bundled engine has no Lambda and no enhanced fan-out
// consumers, and a LocalStack may lack Pipes or Lambda. Discovery reads
// it as "there are none here", never as a failure.
var ErrNotServed = errors.New("not served by this endpoint")

// notServed reports whether err means the endpoint lacks the service or
// the operation. UnrecognizedClientException and a bare 404 mean that
// only on a custom endpoint (LocalStack answers them for services it
// lacks); on AWS the first means bad credentials and stays an error. A
// 501 means it anywhere.
func notServed(s *backend.Session, err error) bool {
	switch backend.ErrorCode(err) {
	case "UnknownOperationException", "UnsupportedOperation", "NotImplemented":
		return true
	case "UnrecognizedClientException":
		return s.Endpoint != ""
	case "ResourceNotFoundException", "NotFoundException":
		return false
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		return false
	}
	switch re.HTTPStatusCode() {
	case http.StatusNotImplemented: // LocalStack: "not yet implemented or pro feature"
		return true
	case http.StatusNotFound:
		return s.Endpoint != ""
	}
	return false
}

// denied reports an authorisation failure: the profile may not list this
// kind of resource.
func denied(err error) bool {
	return backend.IsCode(err, "AccessDenied", "AccessDeniedException", "AuthorizationError", "UnauthorizedOperation")
}

// skippable sorts the error of an optional discovery source (pipes,
// Lambda, EventBridge rules): a note when the endpoint does not serve it
// or the profile may not list it, else the error itself.
func skippable(s *backend.Session, what string, err error) (note string, _ error) {
	switch {
	case errors.Is(err, ErrNotServed) || notServed(s, err):
		return what + ": not served by this endpoint, none listed", nil
	case denied(err):
		return what + ": access denied for profile " + s.Profile.Name + ", not listed", nil
	}
	return "", err
}
